// fix-server as built, in a process of its own, for the FIX e2e tests: started on free ports, with the
// admin API at hand to create clients.
import { expectEventually, freePort } from '@tm/testing';
import { expect } from 'vitest';
import { ServiceProcess } from '../fleet/service-process.js';

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const CLIENT_PASSWORD = 'correct horse battery';

export interface FixServerPorts {
  http: number;
  tcp: number;
  tls: number;
}

export class FixServerProcess {
  private constructor(
    readonly process: ServiceProcess,
    readonly ports: FixServerPorts,
  ) {}

  static async freePorts(): Promise<FixServerPorts> {
    return { http: await freePort(), tcp: await freePort(), tls: await freePort() };
  }

  /** Starts fix-server and waits until it is Running. */
  static async start(
    env: { natsUrl: string; databaseUrl: string; root: string; extra?: Record<string, string> },
    ports: FixServerPorts,
  ): Promise<FixServerProcess> {
    const process = new ServiceProcess('fix-server', 'fix-server-e2e', {
      TM_NATS_URL: env.natsUrl,
      TM_DATABASE_URL: env.databaseUrl,
      TM_SUBJECT_ROOT: env.root,
      TM_HTTP_PORT: String(ports.http),
      TM_HTTP_HOST: '127.0.0.1',
      TM_FIX_TCP_PORT: String(ports.tcp),
      TM_FIX_TLS_PORT: String(ports.tls),
      TM_FIX_ADMIN_TOKEN: ADMIN_TOKEN,
      ...env.extra,
    });
    await expectEventually(async () => {
      expect(process.running, process.tail()).toBe(true);
      expect((await fetch(`http://127.0.0.1:${ports.http}/ready`)).status).toBe(200);
    }, 30_000);
    return new FixServerProcess(process, ports);
  }

  admin(method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.ports.http}/api/fix/clients${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  }

  /** Creates an enabled client with CLIENT_PASSWORD. */
  async createClient(senderCompId: string, fields: Record<string, unknown> = {}): Promise<void> {
    const response = await this.admin('POST', '', { senderCompId, password: CLIENT_PASSWORD, ...fields });
    expect(response.status, await response.clone().text()).toBe(201);
  }

  /** The /ready status on a fresh connection (a reused keep-alive one can meet the server closing it). */
  async readyStatus(): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${this.ports.http}/ready`, {
      headers: { connection: 'close' },
    });
    return response.status;
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.ports.http}/metrics`)).text();
  }

  async stop(): Promise<void> {
    this.process.signal('SIGTERM');
    await this.process.exited;
  }
}
