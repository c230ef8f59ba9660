// Liveness of PostgreSQL as one service sees it: a `SELECT 1` with a deadline, never an exception.
import pg from 'pg';
import type { DataSource } from 'typeorm';

export interface ProbeResult {
  up: boolean;
  detail?: string;
}

export class PostgresProbe {
  constructor(private readonly ds: DataSource) {}

  async check(timeoutMs = 2_000): Promise<ProbeResult> {
    try {
      if (this.ds.isInitialized) {
        await withDeadline(this.ds.query('SELECT 1'), timeoutMs);
        return { up: true };
      }
      // Not connected yet (e.g. the server was down at boot): ask the server directly instead of
      // initialising the data source behind its owner's back.
      await withDeadline(this.selectOnceDirectly(timeoutMs), timeoutMs);
      return { up: true, detail: 'server reachable; data source not initialised' };
    } catch (error) {
      return { up: false, detail: describeFailure(error) };
    }
  }

  private async selectOnceDirectly(timeoutMs: number): Promise<void> {
    const options = this.ds.options;
    if (options.type !== 'postgres') throw new Error(`not a PostgreSQL data source (${options.type})`);
    const client = new pg.Client({
      connectionString: options.url,
      host: options.host,
      port: options.port,
      user: options.username,
      password: options.password,
      database: options.database,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      application_name: options.applicationName,
    });
    // A late failure after the deadline must not surface as an unhandled 'error' event.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

class ProbeTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`timeout: no answer within ${timeoutMs} ms`);
  }
}

async function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1`; Node's AggregateError (IPv4 + IPv6) has only a code. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const message =
    error.message || (error instanceof AggregateError ? describeFailure(error.errors[0]) : error.name);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
