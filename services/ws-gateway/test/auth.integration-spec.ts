import { request } from 'node:http';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@tm/config';
import { ReplyErrorFilter } from '@tm/messaging';
import { createServiceDataSource, createTestSchema, runMigrations, type TestSchema } from '@tm/persistence';
import { DATA_SOURCE, LOGGER, SERVICE_CONFIG } from '@tm/service-host';
import { createLogger } from '@tm/telemetry';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { AuthModule } from '../src/auth/auth.module.js';
import { TokenService } from '../src/auth/token.service.js';
import { DEVELOPMENT_JWT_SECRET, wsGatewayConfigSpec } from '../src/config/ws-gateway.config.js';
import { usersMigration } from '../src/migrations/0001-users.migration.js';
import { listenOnLoopback } from './listen-on-loopback.js';

const SECRET = 'integration-test-secret-of-at-least-32-characters';
const ADMIN_PASSWORD = 'correct-horse-battery';

interface LogRecord {
  level: string;
  msg: string;
  [field: string]: unknown;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** AuthModule in a Nest app of its own, on a fresh schema, with the host's tokens provided here. */
class AuthHarness {
  private constructor(
    readonly app: INestApplication,
    readonly dataSource: DataSource,
    private readonly schema: TestSchema,
    readonly logs: LogRecord[],
  ) {}

  static async open(
    databaseUrl: string,
    variables: Record<string, string | undefined>,
  ): Promise<AuthHarness> {
    const schema = await createTestSchema(databaseUrl, 'wsg');
    const migrations = [usersMigration];
    const dataSource = createServiceDataSource({
      url: databaseUrl,
      schema: schema.schema,
      applicationName: 'ws-gateway-auth-test',
      migrations,
    });
    await dataSource.initialize();
    await runMigrations(dataSource, { schema: schema.schema, migrations });
    const config = loadConfig(wsGatewayConfigSpec, {
      TM_DATABASE_URL: databaseUrl,
      TM_ENV: 'test',
      TM_JWT_SECRET: SECRET,
      TM_ADMIN_USER: 'root',
      TM_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...variables,
    });
    const logs: LogRecord[] = [];
    const logger = createLogger({
      service: 'ws-gateway',
      instance: 'auth-test',
      level: 'info',
      destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogRecord) },
    });

    @Global()
    @Module({
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: DATA_SOURCE, useValue: dataSource },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [SERVICE_CONFIG, DATA_SOURCE, LOGGER],
    })
    class TestHostModule {}

    @Module({ imports: [TestHostModule, AuthModule] })
    class TestRootModule {}

    const app = await NestFactory.create(TestRootModule, { logger: false, abortOnError: false });
    // As the host does: its RPC filter is global and must not swallow HTTP errors.
    app.useGlobalFilters(new ReplyErrorFilter());
    return new AuthHarness(app, dataSource, schema, logs);
  }

  /** Module init (the first admin, the start checks) runs here. */
  listen(): Promise<number> {
    return listenOnLoopback(this.app);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.dataSource.destroy();
    await this.schema.drop();
  }
}

/** A JSON POST from a chosen loopback address, so each test is its own client for the login limiter. */
function post(port: number, path: string, body: unknown, from: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

describe('ws-gateway auth (real PostgreSQL)', () => {
  const databaseUrl = inject('databaseUrl');

  describe('a test start with TM_ADMIN_USER=root and a password', () => {
    let gateway: AuthHarness;
    let port: number;
    let tokens: TokenService;
    const login = (body: unknown, from: string) => post(port, '/api/auth/login', body, from);
    const refresh = (refreshToken: unknown, from: string) =>
      post(port, '/api/auth/refresh', { refreshToken }, from);

    beforeAll(async () => {
      gateway = await AuthHarness.open(databaseUrl, {});
      port = await gateway.listen();
      tokens = gateway.app.get(TokenService);
    });
    afterAll(async () => {
      await gateway.close();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('creates the first admin from the config, with a bcrypt hash', async () => {
      const users: { username: string; role: string; password_hash: string }[] =
        await gateway.dataSource.query(`SELECT username, role, password_hash FROM users`);
      expect(users).toHaveLength(1);
      expect(users[0]).toMatchObject({ username: 'root', role: 'admin' });
      expect(users[0].password_hash).toMatch(/^\$2[aby]\$12\$/);
      expect(
        gateway.logs.some((line) => line.msg.includes('created the first admin from TM_ADMIN_USER')),
      ).toBe(true);
    });

    it('logs in with the right password: tokens that verify as the admin, never cached', async () => {
      const reply = await login({ username: 'root', password: ADMIN_PASSWORD }, '127.0.0.11');
      expect(reply.status).toBe(200);
      expect(reply.headers['cache-control']).toBe('no-store');
      expect(reply.body).toMatchObject({ expiresIn: 900, role: 'admin' });
      const check = await tokens.verifyAccessToken(String(reply.body.accessToken));
      expect(check).toMatchObject({ ok: true, principal: { username: 'root', role: 'admin' } });
      expect(await tokens.verifyRefreshToken(String(reply.body.refreshToken))).toMatchObject({ ok: true });
      // The username is matched regardless of case.
      expect((await login({ username: 'ROOT', password: ADMIN_PASSWORD }, '127.0.0.11')).status).toBe(200);
    });

    it('answers 401 with one message for a wrong password and for an unknown user', async () => {
      const wrong = await login({ username: 'root', password: 'not-the-password' }, '127.0.0.12');
      const unknown = await login({ username: 'nobody', password: 'not-the-password' }, '127.0.0.12');
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body).toEqual({
        statusCode: 401,
        code: 'INVALID_CREDENTIALS',
        message: 'unknown user or wrong password',
      });
    });

    it('answers 400 naming every failing field of a bad body', async () => {
      const reply = await login({ username: '', passwd: 'x' }, '127.0.0.13');
      expect(reply.status).toBe(400);
      expect(reply.body.message).toBe('invalid request body');
      const fields = (reply.body.details as string[]).map((detail) => detail.split(':')[0]);
      expect(fields.sort()).toEqual(['password', 'username']);
      const noToken = await post(port, '/api/auth/refresh', {}, '127.0.0.13');
      expect(noToken.status).toBe(400);
      expect(noToken.body.details).toEqual([expect.stringMatching(/^refreshToken: /)]);
    });

    it('rotates a refresh token: the new pair works, the spent token is refused and revokes its family', async () => {
      const first = await login({ username: 'root', password: ADMIN_PASSWORD }, '127.0.0.14');
      const rotated = await refresh(first.body.refreshToken, '127.0.0.14');
      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({ expiresIn: 900, role: 'admin' });
      expect(rotated.body.refreshToken).not.toBe(first.body.refreshToken);
      expect(await tokens.verifyAccessToken(String(rotated.body.accessToken))).toMatchObject({ ok: true });

      const replay = await refresh(first.body.refreshToken, '127.0.0.14');
      expect(replay.status).toBe(401);
      expect(replay.body).toMatchObject({ code: 'INVALID_TOKEN' });
      // Only a stolen copy is presented twice, so what was rotated from it is revoked as well.
      expect((await refresh(rotated.body.refreshToken, '127.0.0.14')).status).toBe(401);
      expect(gateway.logs.some((line) => line.level === 'warn' && line.msg.includes('presented again'))).toBe(
        true,
      );
    });

    it('refuses an access token, or garbage, in place of a refresh token', async () => {
      const pair = await login({ username: 'root', password: ADMIN_PASSWORD }, '127.0.0.15');
      expect((await refresh(pair.body.accessToken, '127.0.0.15')).status).toBe(401);
      expect((await refresh('garbage', '127.0.0.15')).status).toBe(401);
    });

    it('reports an access token past its expiry as expired', async () => {
      const pair = await login({ username: 'root', password: ADMIN_PASSWORD }, '127.0.0.16');
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 15 * 60_000 + 1_000);
      expect(await tokens.verifyAccessToken(String(pair.body.accessToken))).toEqual({
        ok: false,
        reason: 'expired',
      });
    });

    it('answers the sixth login attempt within a minute with 429 and Retry-After, for that address only', async () => {
      const from = '127.0.0.17';
      const attempts = [
        { username: 'root', password: ADMIN_PASSWORD },
        { username: 'root', password: 'wrong-1' },
        { username: 'nobody', password: 'wrong-2' },
        { username: '' },
        { username: 'root', password: ADMIN_PASSWORD },
      ];
      const statuses: number[] = [];
      for (const body of attempts) statuses.push((await login(body, from)).status);
      // Every attempt counts, whatever its outcome.
      expect(statuses).toEqual([200, 401, 401, 400, 200]);

      const sixth = await login({ username: 'root', password: ADMIN_PASSWORD }, from);
      expect(sixth.status).toBe(429);
      expect(sixth.body).toMatchObject({ statusCode: 429, code: 'TOO_MANY_ATTEMPTS' });
      const retryAfter = String(sixth.headers['retry-after']);
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(50);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);

      expect((await login({ username: 'root', password: ADMIN_PASSWORD }, '127.0.0.18')).status).toBe(200);
    });
  });

  describe('a development start without TM_ADMIN_PASSWORD', () => {
    let gateway: AuthHarness | undefined;
    afterAll(async () => {
      await gateway?.close();
    });

    it('generates the first admin password and logs it once, at warn, outside the message', async () => {
      gateway = await AuthHarness.open(databaseUrl, {
        TM_ENV: 'development',
        TM_JWT_SECRET: undefined,
        TM_ADMIN_USER: 'ops',
        TM_ADMIN_PASSWORD: undefined,
      });
      const port = await gateway.listen();
      const warned = gateway.logs.filter((line) => line.level === 'warn');
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatchObject({ username: 'ops' });
      const password = String(warned[0].password);
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(warned[0].msg).not.toContain(password);

      const reply = await post(port, '/api/auth/login', { username: 'ops', password }, '127.0.0.21');
      expect(reply.status).toBe(200);
      expect(reply.body.role).toBe('admin');
    });
  });

  describe('a production start', () => {
    const refusal = async (variables: Record<string, string | undefined>): Promise<unknown> => {
      const gateway = await AuthHarness.open(databaseUrl, { TM_ENV: 'production', ...variables });
      try {
        await gateway.app.init();
        return undefined;
      } catch (error) {
        return error;
      } finally {
        await gateway.close();
      }
    };
    const problemsOf = (error: unknown) => (error instanceof ConfigError ? error.problems : []);

    it('refuses the default secret, naming TM_JWT_SECRET', async () => {
      const error = await refusal({ TM_JWT_SECRET: undefined });
      expect(error).toBeInstanceOf(ConfigError);
      expect(problemsOf(error)).toEqual([expect.stringMatching(/^TM_JWT_SECRET: .*development default/)]);
    });

    it('refuses a secret shorter than 32 characters', async () => {
      const error = await refusal({ TM_JWT_SECRET: 'x'.repeat(31) });
      expect(problemsOf(error)).toEqual([expect.stringMatching(/^TM_JWT_SECRET: .*got 31$/)]);
      expect(DEVELOPMENT_JWT_SECRET.length).toBeGreaterThan(31);
    });

    it('refuses to create the first admin without a password', async () => {
      const error = await refusal({ TM_ADMIN_PASSWORD: undefined });
      expect(problemsOf(error)).toEqual([expect.stringMatching(/^TM_ADMIN_PASSWORD: .*got nothing$/)]);
    });

    it('starts with a long secret and a long enough admin password', async () => {
      expect(await refusal({})).toBeUndefined();
    });
  });
});
