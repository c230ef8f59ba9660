// The flow API of the whole gateway module (REST, socket.io, progress) on real NATS and PostgreSQL, against a
// flow-engine stand-in on the test's own subject root.
import { randomUUID } from 'node:crypto';
import type { JetStreamManager } from '@nats-io/jetstream';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@tm/config';
import {
  createStreams,
  createSubjects,
  DeadLetterV1,
  encodePayload,
  type FlowProgressV1,
  type FlowStateV1,
} from '@tm/contracts';
import {
  DeadLetterPublisher,
  NatsLink,
  provisionStream,
  ReliablePublisher,
  ReplyErrorFilter,
} from '@tm/messaging';
import { createServiceDataSource, createTestSchema, runMigrations, type TestSchema } from '@tm/persistence';
import { DATA_SOURCE, DEAD_LETTERS, LOGGER, NATS_LINK, SERVICE_CONFIG, SUBJECTS } from '@tm/service-host';
import { accountSlot } from '@tm/sharding';
import { createLogger, MetricsRegistry } from '@tm/telemetry';
import { expectEventually, streamPayloads, uniqueSubjectRoot } from '@tm/testing';
import { io, type Socket } from 'socket.io-client';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Role } from '../src/auth/roles.js';
import { TokenService } from '../src/auth/token.service.js';
import { wsGatewayConfigSpec } from '../src/config/ws-gateway.config.js';
import { usersMigration } from '../src/migrations/0001-users.migration.js';
import { WsGatewayModule } from '../src/ws-gateway.module.js';
import { FlowEngineStandIn, REFUSED_AMOUNT, STAND_IN_ACCOUNTS } from './flow-engine-stand-in.js';
import { listenOnLoopback } from './listen-on-loopback.js';

const FLOW_TIMEOUT_MS = 400;

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads whatever came back
  body: any;
}

type Ack =
  | { ok: true; flow: FlowStateV1 }
  | { ok: false; error: { code: string; message: string; details?: string[] } };

/** The gateway's whole module in a Nest app, with the host's tokens provided here. */
class GatewayHarness {
  private constructor(
    readonly app: INestApplication,
    readonly link: NatsLink,
    readonly jsm: JetStreamManager,
    private readonly dataSource: DataSource,
    private readonly schema: TestSchema,
    private readonly publisher: ReliablePublisher,
    private readonly root: string,
  ) {}

  static async open(databaseUrl: string, natsUrl: string, root: string): Promise<GatewayHarness> {
    const schema = await createTestSchema(databaseUrl, 'wsgf');
    const migrations = [usersMigration];
    const dataSource = createServiceDataSource({
      url: databaseUrl,
      schema: schema.schema,
      applicationName: 'ws-gateway-flow-test',
      migrations,
    });
    await dataSource.initialize();
    await runMigrations(dataSource, { schema: schema.schema, migrations });
    const link = await NatsLink.connect({
      servers: [natsUrl],
      name: 'ws-gateway-flow-test',
      pingIntervalMs: 2_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    const jsm = await link.jetstreamManager();
    const subjects = createSubjects(root);
    await provisionStream(jsm, createStreams(root).DLQ, { storage: 'memory' });
    const publisher = new ReliablePublisher(link);
    const config = loadConfig(wsGatewayConfigSpec, {
      TM_DATABASE_URL: databaseUrl,
      TM_ENV: 'test',
      TM_JWT_SECRET: 'integration-test-secret-of-at-least-32-characters',
      TM_ADMIN_USER: 'root',
      TM_ADMIN_PASSWORD: 'correct-horse-battery',
      TM_FLOW_REQUEST_TIMEOUT: `${FLOW_TIMEOUT_MS}ms`,
    });
    const logger = createLogger({
      service: 'ws-gateway',
      instance: 'flow-test',
      level: 'warn',
      destination: { write: () => undefined },
    });
    const deadLetters = new DeadLetterPublisher({
      publisher,
      subjects,
      service: 'ws-gateway',
      instance: 'flow-test',
    });

    @Global()
    @Module({
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: DATA_SOURCE, useValue: dataSource },
        { provide: LOGGER, useValue: logger },
        { provide: NATS_LINK, useValue: link },
        { provide: SUBJECTS, useValue: subjects },
        { provide: DEAD_LETTERS, useValue: deadLetters },
        {
          provide: MetricsRegistry,
          useValue: new MetricsRegistry({ service: 'ws-gateway', instance: 'flow-test' }),
        },
      ],
      exports: [SERVICE_CONFIG, DATA_SOURCE, LOGGER, NATS_LINK, SUBJECTS, DEAD_LETTERS, MetricsRegistry],
    })
    class TestHostModule {}

    @Module({ imports: [TestHostModule, WsGatewayModule] })
    class TestRootModule {}

    const app = await NestFactory.create(TestRootModule, { logger: false, abortOnError: false });
    app.useGlobalFilters(new ReplyErrorFilter());
    return new GatewayHarness(app, link, jsm, dataSource, schema, publisher, root);
  }

  listen(): Promise<number> {
    return listenOnLoopback(this.app);
  }

  async close(): Promise<void> {
    await this.app.close();
    this.publisher.close();
    const streams = createStreams(this.root);
    for (const stream of [streams.DLQ, streams.PUSH])
      await this.jsm.streams.delete(stream.name).catch(() => false);
    await this.link.close();
    await this.dataSource.destroy();
    await this.schema.drop();
  }
}

describe('ws-gateway flow API (real NATS and PostgreSQL, a flow-engine stand-in)', () => {
  const root = uniqueSubjectRoot();
  const subjects = createSubjects(root);
  let gateway: GatewayHarness;
  let engine: FlowEngineStandIn;
  let port: number;
  const tokens = {} as Record<Role, string>;
  const userIds = {} as Record<Role, string>;
  const sockets: Socket[] = [];
  const buy = { venue: 'paper', instrument: 'BTC/USDT', kind: 'market', amount: '0.5' };

  const call = async (
    method: 'GET' | 'POST',
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: {
        ...(opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` }),
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...opts.headers,
      },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const startBuy = (body: unknown, token = tokens.trader, headers?: Record<string, string>) =>
    call('POST', '/api/flows/buy', { token, body, ...(headers ? { headers } : {}) });
  const lastCommand = () => engine.commands.at(-1);

  const connect = async (token: string): Promise<{ socket: Socket; progress: FlowProgressV1[] }> => {
    const socket = io(`http://127.0.0.1:${port}`, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      auth: { token },
    });
    sockets.push(socket);
    const progress: FlowProgressV1[] = [];
    socket.on('flow:progress', (message: FlowProgressV1) => progress.push(message));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return { socket, progress };
  };
  const ask = (socket: Socket, event: string, body: unknown) =>
    socket.timeout(5_000).emitWithAck(event, body) as Promise<Ack>;
  const flowOf = (ack: Ack): FlowStateV1 => {
    if (!ack.ok) throw new Error(`refused: ${JSON.stringify(ack.error)}`);
    return ack.flow;
  };

  beforeAll(async () => {
    gateway = await GatewayHarness.open(inject('databaseUrl'), inject('natsUrl'), root);
    engine = new FlowEngineStandIn(gateway.link, subjects);
    await engine.start();
    port = await gateway.listen();
    const issuer = gateway.app.get(TokenService);
    for (const role of ['viewer', 'trader', 'admin'] as const) {
      userIds[role] = randomUUID();
      tokens[role] = (
        await issuer.issueAccessToken({ id: userIds[role], username: `${role}-1`, role })
      ).token;
    }
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await engine?.stop();
    await gateway?.close();
  });

  describe('REST', () => {
    it("lists the verbs the caller's role may use, each with its input as JSON Schema", async () => {
      const trader = await call('GET', '/api/flows/verbs', { token: tokens.trader });
      expect(trader.status).toBe(200);
      const verbs = trader.body.verbs as {
        verb: string;
        description: string;
        inputSchema: Record<string, never>;
      }[];
      expect(verbs.map((entry) => entry.verb)).toEqual([
        'buy',
        'sell',
        'cancel-orders',
        'convert',
        'reprice',
        'transfer',
        'deposit-address',
      ]);
      const buyVerb = verbs.find((entry) => entry.verb === 'buy');
      expect(buyVerb?.description).toMatch(/^Buy `amount` of the base asset/);
      expect(buyVerb?.inputSchema).toMatchObject({
        type: 'object',
        properties: { amount: { type: 'string' }, kind: { enum: ['limit', 'market', 'twap'] } },
      });
      expect(buyVerb?.inputSchema['required']).toContain('amount');
      expect((await call('GET', '/api/flows/verbs', { token: tokens.viewer })).body).toEqual({ verbs: [] });
      expect((await call('GET', '/api/flows/verbs')).status).toBe(401);
    });

    it("starts a flow: 201 with the engine's state, the command on the account's slot carrying the user", async () => {
      const reply = await startBuy({
        account: 'desk',
        idempotencyKey: 'rest-start-1',
        input: buy,
        correlationId: 'order-7',
      });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({
        verb: 'buy',
        account: 'desk',
        status: 'running',
        replayed: false,
        correlationId: 'order-7',
        requester: { kind: 'user', id: userIds.trader },
      });
      expect(engine.flow('desk', reply.body.flowId)).toBeDefined();
      expect(lastCommand()).toEqual({
        subject: subjects.flowCmd(accountSlot('desk')),
        command: {
          v: 1,
          type: 'start',
          idempotencyKey: 'rest-start-1',
          account: 'desk',
          verb: 'buy',
          // As sent: no defaults (makerOnly) added on the way.
          input: buy,
          requester: { kind: 'user', id: userIds.trader },
          correlationId: 'order-7',
        },
      });
    });

    it('answers 200 with the same flow for the same key and request, 409 for the same key with another input', async () => {
      const first = await startBuy({ account: 'desk', idempotencyKey: 'rest-replay-1', input: buy });
      expect(first.status).toBe(201);
      const again = await startBuy({ account: 'desk', idempotencyKey: 'rest-replay-1', input: buy });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ flowId: first.body.flowId, replayed: true });
      const conflict = await startBuy({
        account: 'desk',
        idempotencyKey: 'rest-replay-1',
        input: { ...buy, amount: '0.6' },
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body).toEqual({
        statusCode: 409,
        code: 'IDEMPOTENCY_CONFLICT',
        message: 'idempotency key rest-replay-1 started another request',
      });
    });

    it('takes the key from the Idempotency-Key header; a body key that differs is a 400', async () => {
      const byHeader = await startBuy({ account: 'desk', input: buy }, tokens.admin, {
        'Idempotency-Key': 'rest-header-1',
      });
      expect(byHeader.status).toBe(201);
      expect(byHeader.body.idempotencyKey).toBe('rest-header-1');
      expect(byHeader.body.requester).toEqual({ kind: 'user', id: userIds.admin });
      const before = engine.commands.length;
      const differs = await startBuy(
        { account: 'desk', idempotencyKey: 'rest-header-2', input: buy },
        tokens.trader,
        {
          'Idempotency-Key': 'rest-header-1',
        },
      );
      expect(differs.status).toBe(400);
      expect(differs.body.details).toEqual(['idempotencyKey: differs from the Idempotency-Key header']);
      const none = await startBuy({ account: 'desk', input: buy });
      expect(none.body.details).toEqual([
        'idempotencyKey: required, in the body or the Idempotency-Key header',
      ]);
      expect(engine.commands.length).toBe(before);
    });

    it('answers 422 with the flow when a pre-trade check refuses it', async () => {
      const reply = await startBuy({
        account: 'desk',
        idempotencyKey: 'rest-refused-1',
        input: { ...buy, amount: REFUSED_AMOUNT },
      });
      expect(reply.status).toBe(422);
      expect(reply.body).toMatchObject({
        status: 'refused',
        error: { code: 'PRE_TRADE_REFUSED', reason: 'MAX_NOTIONAL_EXCEEDED', step: 'pre-trade' },
      });
    });

    it('answers 400 naming every bad field without asking the engine, and 400 with the details the engine gives', async () => {
      const before = engine.commands.length;
      const bad = await startBuy({
        account: 'desk desk',
        idempotencyKey: 'rest-bad-1',
        input: { venue: 'paper', instrument: 'BTC/USDT', kind: 'limit', amount: '-1' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ statusCode: 400, message: 'invalid request body' });
      expect((bad.body.details as string[]).map((detail) => detail.split(':')[0])).toEqual(['account']);
      const badInput = await startBuy({
        account: 'desk',
        idempotencyKey: 'rest-bad-1',
        input: { venue: 'paper', instrument: 'BTC/USDT', kind: 'limit', amount: '-1' },
      });
      expect((badInput.body.details as string[]).map((detail) => detail.split(':')[0]).sort()).toEqual([
        'input.amount',
        'input.price',
      ]);
      const unknownVerb = await call('POST', '/api/flows/short', { token: tokens.trader, body: {} });
      expect(unknownVerb.status).toBe(400);
      expect(unknownVerb.body.details).toEqual([expect.stringMatching(/^verb: /)]);
      expect(engine.commands.length).toBe(before);

      const engineRefused = await startBuy({
        account: STAND_IN_ACCOUNTS.strict,
        idempotencyKey: 'rest-strict-1',
        input: buy,
      });
      expect(engineRefused.status).toBe(400);
      expect(engineRefused.body).toMatchObject({
        statusCode: 400,
        details: ['input.instrument: not listed on paper'],
      });
    });

    it('answers 403 to a role that may not use the verb, before asking anything', async () => {
      const before = engine.commands.length;
      const reply = await startBuy(
        { account: 'desk', idempotencyKey: 'rest-viewer-1', input: buy },
        tokens.viewer,
      );
      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({
        statusCode: 403,
        code: 'FORBIDDEN',
        message: 'role viewer may not use the verb buy',
      });
      const read = await call('GET', '/api/flows/desk/flow-1', { token: tokens.viewer });
      expect(read.status).toBe(403);
      expect(engine.commands.length).toBe(before);
      expect(
        (await startBuy({ account: 'desk', idempotencyKey: 'rest-anon-1', input: buy }, 'garbage')).status,
      ).toBe(401);
    });

    it('reads a flow, 404 for an unknown one; cancels it, 409 once it is finished', async () => {
      const started = await startBuy({ account: 'desk', idempotencyKey: 'rest-cancel-1', input: buy });
      const path = `/api/flows/desk/${started.body.flowId}`;
      const read = await call('GET', path, { token: tokens.trader });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ flowId: started.body.flowId, status: 'running' });
      expect(lastCommand()).toEqual({
        subject: subjects.flowCmd(accountSlot('desk')),
        command: { v: 1, type: 'get', account: 'desk', flowId: started.body.flowId },
      });
      const unknown = await call('GET', '/api/flows/desk/no-such-flow', { token: tokens.trader });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      expect(
        (await call('GET', '/api/flows/desk/not%20a%20flow', { token: tokens.trader })).body.details,
      ).toEqual(['flowId: must be a flow id']);

      const cancel = await call('POST', `${path}/cancel`, {
        token: tokens.trader,
        body: { reason: 'changed my mind' },
      });
      expect(cancel.status).toBe(200);
      expect(cancel.body.status).toBe('canceling');
      expect(lastCommand()?.command).toEqual({
        v: 1,
        type: 'cancel',
        account: 'desk',
        flowId: started.body.flowId,
        requester: { kind: 'user', id: userIds.trader },
        reason: 'changed my mind',
      });
      engine.publishProgress(started.body, 'FlowCanceled', 'canceled');
      await expectEventually(() => expect(engine.flow('desk', started.body.flowId)?.status).toBe('canceled'));
      // Without a body: a cancel without a reason.
      const finished = await call('POST', `${path}/cancel`, { token: tokens.trader });
      expect(finished.status).toBe(409);
      expect(finished.body).toMatchObject({ statusCode: 409, code: 'FLOW_FINISHED' });
    });

    it('answers 503 when the engine does not answer in time or says UNAVAILABLE', async () => {
      const started = Date.now();
      const silent = await startBuy({
        account: STAND_IN_ACCOUNTS.silent,
        idempotencyKey: 'rest-silent-1',
        input: buy,
      });
      expect(silent.status).toBe(503);
      expect(silent.body.code).toBe('FLOW_ENGINE_UNAVAILABLE');
      expect(silent.body.message).toMatch(/within 400 ms; try again with the same idempotency key$/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(FLOW_TIMEOUT_MS);
      const paused = await call('GET', `/api/flows/${STAND_IN_ACCOUNTS.paused}/flow-1`, {
        token: tokens.trader,
      });
      expect(paused.status).toBe(503);
      expect(paused.body.message).toMatch(/waiting for postgres/);
    });

    it('documents every flow route, and serves each one documented', async () => {
      const document = (await call('GET', '/api/openapi.json')).body as {
        paths: Record<string, Record<string, unknown>>;
      };
      const flowPaths = Object.keys(document.paths).filter((path) => path.startsWith('/api/flows/'));
      expect(flowPaths).toHaveLength(10);
      for (const path of flowPaths)
        for (const method of Object.keys(document.paths[path])) {
          const served = await call(method.toUpperCase() as 'GET' | 'POST', path.replace(/[{}]/g, ''));
          // Unauthenticated: every served route answers 401, an unserved one 404.
          expect(served.status, `${method} ${path}`).toBe(401);
        }
    });
  });

  describe('socket.io', () => {
    it('starts, reads and cancels flows with acks, the same checks as REST', async () => {
      const { socket } = await connect(tokens.trader);
      const started = await ask(socket, 'flow:start', {
        verb: 'buy',
        account: 'desk',
        idempotencyKey: 'sock-start-1',
        input: buy,
      });
      expect(started).toMatchObject({
        ok: true,
        flow: { verb: 'buy', status: 'running', requester: { kind: 'user', id: userIds.trader } },
      });
      expect(lastCommand()?.subject).toBe(subjects.flowCmd(accountSlot('desk')));
      const flow = flowOf(started);
      expect(
        await ask(socket, 'flow:start', {
          verb: 'buy',
          account: 'desk',
          idempotencyKey: 'sock-start-1',
          input: buy,
        }),
      ).toMatchObject({
        ok: true,
        flow: { flowId: flow.flowId, replayed: true },
      });
      expect(await ask(socket, 'flow:get', { account: 'desk', flowId: flow.flowId })).toMatchObject({
        ok: true,
        flow: { flowId: flow.flowId },
      });
      expect(
        await ask(socket, 'flow:cancel', { account: 'desk', flowId: flow.flowId, reason: 'test' }),
      ).toMatchObject({
        ok: true,
        flow: { status: 'canceling' },
      });
      expect(await ask(socket, 'flow:get', { account: 'desk', flowId: 'no-such-flow' })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
      expect(
        await ask(socket, 'flow:start', {
          verb: 'buy',
          account: 'desk',
          idempotencyKey: 'sock-start-1',
          input: { ...buy, amount: '2' },
        }),
      ).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
    });

    it('refuses a bad payload naming the fields, and a verb outside the role', async () => {
      const { socket } = await connect(tokens.trader);
      const before = engine.commands.length;
      const bad = await ask(socket, 'flow:start', {
        verb: 'buy',
        account: 'desk',
        idempotencyKey: 'short',
        input: buy,
      });
      expect(bad).toMatchObject({
        ok: false,
        error: { code: 'INVALID_PAYLOAD', details: [expect.stringMatching(/^idempotencyKey: /)] },
      });
      const badInput = await ask(socket, 'flow:start', {
        verb: 'sell',
        account: 'desk',
        idempotencyKey: 'sock-bad-1',
        input: { venue: 'paper', instrument: 'BTC/USDT', kind: 'market' },
      });
      expect(badInput).toEqual({
        ok: false,
        error: {
          code: 'INVALID_PAYLOAD',
          message: 'invalid sell input',
          details: ['input.amount: give exactly one of amount and fractionOfFree'],
        },
      });
      expect(await ask(socket, 'flow:cancel', 'cancel it')).toMatchObject({
        ok: false,
        error: { code: 'INVALID_PAYLOAD' },
      });
      const viewer = await connect(tokens.viewer);
      expect(
        await ask(viewer.socket, 'flow:start', {
          verb: 'buy',
          account: 'desk',
          idempotencyKey: 'sock-viewer-1',
          input: buy,
        }),
      ).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: 'role viewer may not use the verb buy' },
      });
      expect(engine.commands.length).toBe(before);
    });

    it('sends flow:progress for the flows a socket started or asked for, only to it, until the flow ends', async () => {
      const starter = await connect(tokens.trader);
      const asker = await connect(tokens.admin);
      const bystander = await connect(tokens.trader);
      const mine = flowOf(
        await ask(starter.socket, 'flow:start', {
          verb: 'buy',
          account: 'desk',
          idempotencyKey: 'sock-prog-1',
          input: buy,
        }),
      );
      // A flow started elsewhere (REST), then asked for over the socket.
      const rest = await startBuy({ account: 'acct-2', idempotencyKey: 'sock-prog-2', input: buy });
      const theirs = flowOf(
        await ask(asker.socket, 'flow:get', { account: 'acct-2', flowId: rest.body.flowId }),
      );
      const nobodys = (await startBuy({ account: 'desk', idempotencyKey: 'sock-prog-3', input: buy }))
        .body as FlowStateV1;

      engine.publishProgress(mine, 'StepStarted', 'running', 'place-order');
      engine.publishProgress(nobodys, 'StepStarted', 'running', 'place-order');
      engine.publishProgress(theirs, 'StepStarted', 'running', 'place-order');
      engine.publishProgress(mine, 'StepSucceeded', 'running', 'place-order');
      engine.publishProgress(mine, 'FlowSucceeded', 'succeeded');
      const seen = (progress: FlowProgressV1[]) => progress.map((p) => [p.flowId, p.type]);
      await expectEventually(() =>
        expect(seen(starter.progress)).toEqual([
          [mine.flowId, 'StepStarted'],
          [mine.flowId, 'StepSucceeded'],
          [mine.flowId, 'FlowSucceeded'],
        ]),
      );
      await expectEventually(() => expect(seen(asker.progress)).toEqual([[theirs.flowId, 'StepStarted']]));
      expect(starter.progress[0]).toMatchObject({
        v: 1,
        account: 'desk',
        verb: 'buy',
        step: 'place-order',
        status: 'running',
      });

      // The flow ended, so the starter follows it no more; a later flow of its own still arrives after it.
      engine.publishProgress(mine, 'StepStarted', 'running', 'late');
      const next = flowOf(
        await ask(starter.socket, 'flow:start', {
          verb: 'buy',
          account: 'desk',
          idempotencyKey: 'sock-prog-4',
          input: buy,
        }),
      );
      engine.publishProgress(next, 'FlowStarted', 'running');
      await expectEventually(() =>
        expect(seen(starter.progress).at(-1)).toEqual([next.flowId, 'FlowStarted']),
      );
      expect(starter.progress).toHaveLength(4);
      // An ack on the bystander's own connection comes after anything emitted to it before: nothing was.
      expect(
        await ask(bystander.socket, 'flow:get', { account: 'desk', flowId: 'no-such-flow' }),
      ).toMatchObject({ ok: false });
      expect(bystander.progress).toEqual([]);
    });

    it('misses no progress the engine publishes right behind its reply to the start', async () => {
      for (let i = 1; i <= 5; i++) {
        const { socket, progress } = await connect(tokens.trader);
        const flow = flowOf(
          await ask(socket, 'flow:start', {
            verb: 'buy',
            account: STAND_IN_ACCOUNTS.eager,
            idempotencyKey: `sock-eager-${i}`,
            input: buy,
          }),
        );
        await expectEventually(
          () => expect(progress.map((p) => [p.flowId, p.type])).toEqual([[flow.flowId, 'FlowStarted']]),
          2_000,
        );
        socket.close();
      }
    });

    it('dead-letters a progress message that fails FlowProgressV1, and keeps delivering', async () => {
      const { socket, progress } = await connect(tokens.trader);
      const flow = flowOf(
        await ask(socket, 'flow:start', {
          verb: 'buy',
          account: 'desk',
          idempotencyKey: 'sock-dlq-1',
          input: buy,
        }),
      );
      const subject = subjects.flowProgress(accountSlot('desk'));
      gateway.link.connection.publish(subject, new TextEncoder().encode('not json'));
      gateway.link.connection.publish(
        subject,
        encodePayload({ v: 1, flowId: flow.flowId, type: 'Teleported' }),
      );
      engine.publishProgress(flow, 'FlowStarted', 'running');
      await expectEventually(() => expect(progress.map((p) => p.type)).toEqual(['FlowStarted']));
      const streams = createStreams(root);
      await expectEventually(async () => {
        const letters = await streamPayloads(
          gateway.jsm,
          streams.DLQ.name,
          subjects.dlq('ws-gateway'),
          DeadLetterV1,
        );
        expect(letters.map((letter) => letter.subject)).toEqual([subject, subject]);
        expect(letters[0].reason).toMatch(/^payload is not JSON/);
        expect(letters[1].reason).toMatch(/type: /);
        expect(letters[1].reason).toMatch(/status: /);
        expect(Buffer.from(letters[0].payloadBase64, 'base64').toString()).toBe('not json');
      });
    });
  });

  it('answers 503 at once, and a socket error ack, when no flow engine listens', async () => {
    await engine.stop();
    const reply = await startBuy({ account: 'desk', idempotencyKey: 'rest-nobody-1', input: buy });
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({
      code: 'FLOW_ENGINE_UNAVAILABLE',
      message: expect.stringMatching(/no responder listens on/),
    });
    const { socket } = await connect(tokens.trader);
    expect(await ask(socket, 'flow:get', { account: 'desk', flowId: 'flow-1' })).toMatchObject({
      ok: false,
      error: { code: 'FLOW_ENGINE_UNAVAILABLE' },
    });
  });
});
