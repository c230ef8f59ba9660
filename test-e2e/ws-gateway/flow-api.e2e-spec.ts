// The ws-gateway process, as built, as an agent uses it: log in, read the verbs as tools, start a flow over
// REST and over socket.io, and follow its progress. The flow engine is a stand-in on the bed's NATS that
// answers starts and gets and publishes progress, as services/flow-engine will.
import {
  decodePayload,
  encodePayload,
  FlowCommandV1,
  nowMicros,
  type FlowProgressV1,
  type FlowStateV1,
  type ReplyEnvelope,
} from '@tm/contracts';
import { accountSlot } from '@tm/sharding';
import { expectEventually } from '@tm/testing';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GatewayTestBed, login } from './gateway-harness.js';

/** The stand-in never answers this account: the gateway's request times out. */
const SILENT_ACCOUNT = 'silent';

describe('ws-gateway flow API, as built', () => {
  let bed: GatewayTestBed | undefined;
  let url: string;
  let token: string;
  let socket: Socket | undefined;
  const commands: { subject: string; command: FlowCommandV1 }[] = [];
  const flows = new Map<string, FlowStateV1>();
  const buy = { venue: 'paper', instrument: 'ETH/USDT', kind: 'market', amount: '1' };

  /** Answers starts and gets; each new flow's FlowStarted follows its reply. */
  const standIn = (current: GatewayTestBed) => {
    current.link.connection.subscribe(current.subjects.all.flowCmd(), {
      callback: (error, msg) => {
        const decoded = error === null ? decodePayload(FlowCommandV1, msg.data) : undefined;
        if (!decoded?.ok || decoded.value.account === SILENT_ACCOUNT) return;
        const command = decoded.value;
        commands.push({ subject: msg.subject, command });
        let flow = command.type === 'start' ? undefined : flows.get(command.flowId);
        if (command.type === 'start') {
          const now = nowMicros();
          flow = {
            flowId: `flow-${flows.size + 1}`,
            verb: command.verb,
            account: command.account,
            status: 'running',
            input: command.input,
            idempotencyKey: command.idempotencyKey,
            requester: command.requester,
            correlationId: `flow-${flows.size + 1}`,
            replayed: false,
            result: null,
            error: null,
            steps: [],
            createdAt: now,
            updatedAt: now,
          };
          flows.set(flow.flowId, flow);
        }
        const reply: ReplyEnvelope<FlowStateV1> =
          flow === undefined
            ? { v: 1, ok: false, error: { code: 'NOT_FOUND', message: 'no such flow' } }
            : { v: 1, ok: true, result: flow };
        msg.respond(encodePayload(reply));
        if (command.type === 'start' && flow !== undefined) progress(current, flow, 'FlowStarted', 'running');
      },
    });
  };
  const progress = (
    current: GatewayTestBed,
    flow: FlowStateV1,
    type: FlowProgressV1['type'],
    status: FlowProgressV1['status'],
  ) => {
    const message: FlowProgressV1 = {
      v: 1,
      flowId: flow.flowId,
      verb: flow.verb,
      account: flow.account,
      status,
      type,
      step: null,
      attempt: null,
      detail: {},
      correlationId: flow.correlationId,
      tsInit: nowMicros(),
    };
    current.link.connection.publish(
      current.subjects.flowProgress(accountSlot(flow.account)),
      encodePayload(message),
    );
  };
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads whatever came back
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    bed = await GatewayTestBed.open(inject('databaseUrl'), 'ws_flow');
    standIn(bed);
    await bed.link.connection.flush();
    ({ url } = await bed.gateway({ TM_INSTANCE_ID: 'gw-flow-e2e', TM_FLOW_REQUEST_TIMEOUT: '500ms' }));
    token = (await login(url)).accessToken;
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    await bed?.close();
  });

  it('lists the verbs as tools with their input schemas', async () => {
    const { status, body } = await call('GET', '/api/flows/verbs');
    expect(status).toBe(200);
    expect(body.verbs).toHaveLength(7);
    expect(body.verbs[0]).toMatchObject({
      verb: 'buy',
      inputSchema: { properties: { amount: { type: 'string' } } },
    });
  });

  it("starts a flow over REST on the account's slot, as the signed-in user, and reads it back", async () => {
    const started = await call('POST', '/api/flows/buy', {
      account: 'agent-1',
      idempotencyKey: 'e2e-rest-0001',
      input: buy,
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ verb: 'buy', account: 'agent-1', status: 'running' });
    expect(commands.at(-1)).toMatchObject({
      subject: bed?.subjects.flowCmd(accountSlot('agent-1')),
      command: { type: 'start', requester: { kind: 'user' }, input: buy },
    });
    const read = await call('GET', `/api/flows/agent-1/${started.body.flowId}`);
    expect(read).toMatchObject({ status: 200, body: { flowId: started.body.flowId } });
    const silent = await call('POST', '/api/flows/buy', {
      account: SILENT_ACCOUNT,
      idempotencyKey: 'e2e-rest-0002',
      input: buy,
    });
    expect(silent.status).toBe(503);
    expect(silent.body.message).toMatch(/within 500 ms/);
  });

  it('starts a flow over socket.io and delivers its progress to the socket', async () => {
    socket = io(url, { path: '/socket.io', transports: ['websocket'], reconnection: false, auth: { token } });
    const received: FlowProgressV1[] = [];
    socket.on('flow:progress', (message: FlowProgressV1) => received.push(message));
    await new Promise<void>((resolve, reject) => {
      socket?.once('connect', resolve);
      socket?.once('connect_error', reject);
    });
    const ack = (await socket.timeout(5_000).emitWithAck('flow:start', {
      verb: 'buy',
      account: 'agent-2',
      idempotencyKey: 'e2e-sock-0001',
      input: buy,
    })) as {
      ok: boolean;
      flow: FlowStateV1;
    };
    expect(ack).toMatchObject({ ok: true, flow: { account: 'agent-2', status: 'running' } });
    const current = bed as GatewayTestBed;
    progress(current, ack.flow, 'FlowSucceeded', 'succeeded');
    await expectEventually(() =>
      expect(received.map((message) => [message.flowId, message.type])).toEqual([
        [ack.flow.flowId, 'FlowStarted'],
        [ack.flow.flowId, 'FlowSucceeded'],
      ]),
    );
  });
});
