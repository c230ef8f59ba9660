// CPU used by named processes and by the rest of the machine over a measured phase (Linux /proc), so a
// figure says who was the bottleneck and whether something outside the benchmark took the cores.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SEC = 100;

/** CPU seconds a process has used; undefined when it is gone or /proc is missing. */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
  } catch {
    return undefined;
  }
}

/** CPU seconds of a group of processes together; undefined when none of them can be read. */
function groupCpuSeconds(pids: readonly (number | undefined)[]): number | undefined {
  let total: number | undefined;
  for (const pid of pids) {
    const used = processCpuSeconds(pid);
    if (used !== undefined) total = (total ?? 0) + used;
  }
  return total;
}

/** Resident memory of a process in bytes (VmRSS), undefined when it is gone. */
export function residentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) * 1_024;
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of all cores together (everything but idle and iowait). */
function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return (total - (fields[3] ?? 0) - (fields[4] ?? 0)) / CLOCK_TICKS_PER_SEC;
  } catch {
    return undefined;
  }
}

/** The nats-server process started with `-p <port>` (NatsServerProcess does not expose its pid). */
export function natsServerPid(port: number): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf('-p');
      if (args[0]?.endsWith('nats-server') && at >= 0 && args[at + 1] === String(port)) return Number(entry);
    }
  } catch {
    // /proc unreadable: no pid, the meter says n/a
  }
  return undefined;
}

type Pids = number | undefined | readonly (number | undefined)[];
const asGroup = (pids: Pids): readonly (number | undefined)[] =>
  Array.isArray(pids) ? pids : [pids as number | undefined];

export class CpuMeter {
  private readonly startedAt = performance.now();
  private readonly before: (number | undefined)[];
  private readonly machineBefore = machineBusySeconds();

  /** Processes by name, one pid or a group counted together: { publisher: 123, clients: [456, 789] }. */
  constructor(private readonly pids: Record<string, Pids>) {
    this.before = Object.values(pids).map((group) => groupCpuSeconds(asGroup(group)));
  }

  /** Share of one core per named process since construction, and `rest`: the kernel (loopback TCP) and other processes. */
  shares(): Record<string, number | undefined> {
    const seconds = (performance.now() - this.startedAt) / 1_000;
    const out: Record<string, number | undefined> = {};
    let named = 0;
    Object.entries(this.pids).forEach(([name, pid], i) => {
      const before = this.before[i];
      const after = groupCpuSeconds(asGroup(pid));
      const used = before === undefined || after === undefined ? undefined : after - before;
      out[name] = used === undefined ? undefined : used / seconds;
      named += used ?? 0;
    });
    const machine = machineBusySeconds();
    out['rest'] =
      this.machineBefore === undefined || machine === undefined
        ? undefined
        : Math.max(0, machine - this.machineBefore - named) / seconds;
    return out;
  }

  /** `publisher 52%, nats-server 90%, rest 3%` (100% = one core). */
  describe(): string {
    return Object.entries(this.shares())
      .map(([name, share]) => `${name} ${share === undefined ? 'n/a' : `${(share * 100).toFixed(0)}%`}`)
      .join(', ');
  }
}
