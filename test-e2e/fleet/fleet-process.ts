import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The fleet started exactly as the README says (`npm start`), in a process group of its own so the
 * test can signal the whole group the way Ctrl-C does.
 */
export class FleetProcess {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    this.child = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      detached: true,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.output.length > 4_000) this.output.splice(0, this.output.length - 4_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolveExit) => this.child.once('exit', (code) => resolveExit(code)));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('fleet did not start');
    return this.child.pid;
  }

  signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is already gone
    }
  }

  tail(lines = 60): string {
    return this.output.slice(-lines).join('\n');
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes still in a process group (the launcher, npm, any service), by pid. */
export function processGroupMembers(groupId: number): Promise<number[]> {
  return new Promise((resolve) => {
    execFile('pgrep', ['-g', String(groupId)], (error, stdout) => {
      // pgrep exits 1 when nothing matches
      resolve(error ? [] : stdout.split('\n').filter(Boolean).map(Number));
    });
  });
}
