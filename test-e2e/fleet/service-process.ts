// One service instance, as built, in a process of its own: its JSON log lines kept and parsed so a test
// can wait for what it says (`slots taken over`), and a signal to end it the way a crash or a deploy would.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ServiceName } from '@tm/contracts';
import { REPO_ROOT } from './fleet-process.js';

const KEPT_LINES = 4_000;

/** The fields of a pino line the tests read; everything else stays in `raw`. */
export interface ServiceLogLine {
  msg: string;
  /** Epoch milliseconds, from the line's ISO time. */
  time?: number;
  raw: string;
}

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServiceProcess {
  readonly lines: ServiceLogLine[] = [];
  readonly exited: Promise<ServiceExit>;
  private readonly child: ChildProcess;
  private partial = '';
  private alive = true;

  constructor(
    readonly service: ServiceName,
    readonly instanceId: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [join(REPO_ROOT, `services/${service}/dist/main.js`)], {
      env: { ...process.env, TM_LOG_LEVEL: 'info', ...env, TM_INSTANCE_ID: instanceId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.keep(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.keep(chunk));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.alive = false;
        resolve({ code, signal });
      }),
    );
  }

  get running(): boolean {
    return this.alive;
  }

  /** The lines whose message is `msg`, in order. */
  said(msg: string): ServiceLogLine[] {
    return this.lines.filter((line) => line.msg === msg);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Kills the process if it still runs and waits until it is gone (cleanup after any outcome). */
  async dispose(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  tail(count = 40): string {
    return this.lines
      .slice(-count)
      .map((line) => line.raw)
      .join('\n');
  }

  private keep(chunk: Buffer): void {
    const text = this.partial + chunk.toString();
    const complete = text.split('\n');
    this.partial = complete.pop() ?? '';
    for (const raw of complete) if (raw.trim() !== '') this.lines.push(parseLine(raw));
    if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES);
  }
}

function parseLine(raw: string): ServiceLogLine {
  try {
    const parsed = JSON.parse(raw) as Partial<Record<keyof ServiceLogLine, unknown>>;
    return {
      msg: typeof parsed.msg === 'string' ? parsed.msg : '',
      time: typeof parsed.time === 'string' ? Date.parse(parsed.time) : undefined,
      raw,
    };
  } catch {
    // Not a log line (a crash's stack trace): kept for the failure report.
    return { msg: '', raw };
  }
}
