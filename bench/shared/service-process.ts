// A service as built (services/<name>/dist/main.js) in a process of its own for a benchmark: started on a
// free HTTP port against the run's NATS, ready when /ready answers, its /metrics at hand.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tm/testing';

const NATS_URL = process.env.TM_NATS_URL ?? 'nats://127.0.0.1:4222';
const OUTPUT_LINES_KEPT = 200;

const mainOf = (service: string) =>
  fileURLToPath(new URL(`../../../services/${service}/dist/main.js`, import.meta.url));

export class ServiceProcess {
  private readonly output: string[] = [];
  readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.keep(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.keep(chunk));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** `nodeArgs` go before the script (`--cpu-prof`, which NODE_OPTIONS does not take). */
  static async start(
    service: string,
    env: Record<string, string>,
    nodeArgs: readonly string[] = [],
  ): Promise<ServiceProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [...nodeArgs, mainOf(service)], {
      env: {
        ...process.env,
        TM_NATS_URL: NATS_URL,
        TM_INSTANCE_ID: `${service}-bench`,
        TM_HTTP_PORT: String(port),
        TM_HTTP_HOST: '127.0.0.1',
        TM_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = new ServiceProcess(service, child, port);
    const deadline = performance.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) return started;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || performance.now() > deadline)
        throw new Error(`${service} never became ready:\n${started.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The last lines the process wrote (stdout and stderr), for an error message. */
  tail(lines = 20): string {
    return this.output.slice(-lines).join('\n');
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  private keep(chunk: Buffer): void {
    this.output.push(...chunk.toString().split('\n').filter(Boolean));
    if (this.output.length > OUTPUT_LINES_KEPT) this.output.splice(0, this.output.length - OUTPUT_LINES_KEPT);
  }
}
