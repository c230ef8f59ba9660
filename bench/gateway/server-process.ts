// The two servers gateway.bench.ts measures, each a process of its own: the ws-gateway as built
// (services/ws-gateway/dist/main.js, on the run's own database and subject root) and the bare socket.io
// broadcast server.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tm/testing';
import type { BareServerOptions } from './bare-broadcast-server.js';
import type { ServerKind } from './load-protocol.js';

const GATEWAY_MAIN = fileURLToPath(new URL('../../../services/ws-gateway/dist/main.js', import.meta.url));
const BARE_MAIN = fileURLToPath(new URL('./bare-broadcast-server.js', import.meta.url));
const OUTPUT_LINES_KEPT = 50;
export const ADMIN_PASSWORD = 'gateway-bench-password';

export interface ServerOptions {
  kind: ServerKind;
  natsUrl: string;
  root: string;
  /** The bare server's one subject; the gateway subscribes to what its sockets watch. */
  tradeSubject: string;
  databaseUrl: string;
  nodeArgs?: string[];
}

/** A server under test, listening on 127.0.0.1:`port` with socket.io at /socket.io. */
export class ServerProcess {
  private readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(
    readonly kind: ServerKind,
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    const lines = (stream: NodeJS.ReadableStream | null) => {
      if (stream === null) return;
      createInterface({ input: stream }).on('line', (line) => {
        this.output.push(line);
        this.output.splice(0, Math.max(0, this.output.length - OUTPUT_LINES_KEPT));
      });
    };
    lines(child.stdout);
    lines(child.stderr);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(opts: ServerOptions): Promise<ServerProcess> {
    const port = await freePort();
    const nodeArgs = opts.nodeArgs ?? [];
    const child =
      opts.kind === 'gateway'
        ? spawn(process.execPath, [...nodeArgs, GATEWAY_MAIN], {
            env: {
              ...process.env,
              TM_NATS_URL: opts.natsUrl,
              TM_DATABASE_URL: opts.databaseUrl,
              TM_SUBJECT_ROOT: opts.root,
              TM_INSTANCE_ID: 'ws-gateway-bench',
              TM_HTTP_PORT: String(port),
              TM_HTTP_HOST: '127.0.0.1',
              TM_LOG_LEVEL: 'warn',
              TM_ADMIN_PASSWORD: ADMIN_PASSWORD,
              TM_LOGIN_MAX_ATTEMPTS: '100000',
              TM_JWT_ACCESS_EXPIRY: '1h',
            },
            stdio: ['ignore', 'pipe', 'pipe'],
          })
        : spawn(
            process.execPath,
            [
              ...nodeArgs,
              BARE_MAIN,
              JSON.stringify({
                natsUrl: opts.natsUrl,
                subject: opts.tradeSubject,
                port,
              } satisfies BareServerOptions),
            ],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
    const server = new ServerProcess(opts.kind, child, port);
    await server.waitReady(30_000);
    return server;
  }

  /** The gateway's access token for the first admin (the bare server takes any). */
  async login(): Promise<string> {
    if (this.kind === 'bare') return 'none';
    const response = await fetch(`${this.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    if (!response.ok) throw this.failure(`login answered HTTP ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { accessToken: string }).accessToken;
  }

  recentOutput(): string[] {
    return [...this.output];
  }

  /** SIGTERM and wait; SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null)
        throw this.failure(`the ${this.kind} server exited (${this.child.exitCode})`);
      const ready =
        this.kind === 'gateway'
          ? await fetch(`${this.url}/ready`).then(
              (r) => r.ok,
              () => false,
            )
          : this.output.some((line) => line.includes('"listening"'));
      if (ready) return;
      if (performance.now() > deadline) throw this.failure(`timed out waiting for the ${this.kind} server`);
      await sleep(100);
    }
  }

  private failure(message: string): Error {
    return new Error(`${message}; its last output:\n${this.output.join('\n')}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
