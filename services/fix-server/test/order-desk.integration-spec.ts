// The order desk on real NATS against a flow-engine stand-in on the test's own subject root: commands answered
// as the engine does (replayed by idempotency key), progress and execution events published by the test.
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  clientOrderIdOf,
  createSubjects,
  decodePayload,
  encodePayload,
  FlowCommandV1,
  nowMicros,
  type ExecutionEventV1,
  type FlowStartCommandV1,
  type FlowStateV1,
  type Subjects,
} from '@tm/contracts';
import { accountSlot } from '@tm/sharding';
import { expectEventually, uniqueSubjectRoot } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OrderDesk, type OrderSession } from '../src/orders/order-desk.js';

const ACCOUNT = 'acc1';

class StandIn {
  readonly starts: FlowStartCommandV1[] = [];
  private readonly byKey = new Map<string, FlowStateV1>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
  ) {}

  async start(): Promise<void> {
    this.nc.subscribe(this.subjects.all.flowCmd(), {
      callback: (_error, msg) => {
        const decoded = decodePayload(FlowCommandV1, msg.data);
        if (!decoded.ok || decoded.value.type !== 'start') return;
        const command = decoded.value;
        this.starts.push(command);
        const known = this.byKey.get(command.idempotencyKey);
        const flow: FlowStateV1 = known
          ? { ...known, replayed: true }
          : {
              flowId: `flow-${randomUUID()}`,
              verb: command.verb,
              account: command.account,
              status: 'running',
              input: command.input,
              idempotencyKey: command.idempotencyKey,
              requester: command.requester,
              correlationId: command.causationId ?? 'c',
              replayed: false,
              result: null,
              error: null,
              steps: [],
              createdAt: nowMicros(),
              updatedAt: nowMicros(),
            };
        this.byKey.set(command.idempotencyKey, flow);
        msg.respond(encodePayload({ v: 1, ok: true, result: flow }));
      },
    });
    await this.nc.flush();
  }

  flowOf(causationId: string): FlowStateV1 {
    const flow = [...this.byKey.values()].find((f) => f.correlationId === causationId);
    if (flow === undefined) throw new Error(`no flow for ${causationId}`);
    return flow;
  }

  progress(flow: FlowStateV1, type: 'FlowSucceeded', detail: Record<string, unknown>): void {
    this.nc.publish(
      this.subjects.flowProgress(accountSlot(ACCOUNT)),
      encodePayload({
        v: 1,
        flowId: flow.flowId,
        verb: flow.verb,
        account: ACCOUNT,
        status: 'succeeded',
        type,
        step: null,
        attempt: null,
        detail,
        correlationId: flow.correlationId,
        tsInit: nowMicros(),
      }),
    );
  }

  orderEvent(
    clientOrderId: string,
    status: 'open' | 'closed' | 'canceled',
    filled: string,
    fill?: { tradeId: string; price: string; amount: string },
  ): void {
    const order = {
      clientOrderId,
      venueOrderId: 'v1',
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      timeInForce: 'GTC',
      price: '100',
      amount: '1',
      filled,
      status,
    } as const;
    const base = {
      v: 1,
      eventId: randomUUID(),
      venue: 'paper',
      account: ACCOUNT,
      tsEvent: nowMicros(),
      tsInit: nowMicros(),
      order,
      reconciled: false,
    } as const;
    const event: ExecutionEventV1 = fill
      ? {
          ...base,
          type: 'OrderFilled',
          fill: { ...fill, feeCost: null, feeCurrency: null, liquidity: 'maker' },
        }
      : { ...base, type: status === 'canceled' ? 'OrderCanceled' : 'OrderAccepted' };
    this.nc.publish(this.subjects.exec(accountSlot(ACCOUNT)), encodePayload(event));
  }
}

function session(key: string): OrderSession & { sent: { msgType: string; body: Record<string, unknown> }[] } {
  const sent: { msgType: string; body: Record<string, unknown> }[] = [];
  return {
    key,
    clientId: key.split('->')[0]!.toLowerCase(),
    allowedAccounts: [ACCOUNT],
    sent,
    send: (msgType, body) => sent.push({ msgType, body: body as Record<string, unknown> }),
  };
}

const newOrder = (clOrdId: string) => ({
  ClOrdID: clOrdId,
  Account: ACCOUNT,
  Side: '1',
  Instrument: { Symbol: 'BTC/USDT' },
  OrderQtyData: { OrderQty: 1 },
  OrdType: '2',
  Price: 100,
});

describe('OrderDesk on NATS', () => {
  let nc: NatsConnection;
  let desk: OrderDesk;
  let standIn: StandIn;

  beforeAll(async () => {
    nc = await connect({ servers: inject('natsUrl') });
    const subjects = createSubjects(uniqueSubjectRoot());
    standIn = new StandIn(nc, subjects);
    await standIn.start();
    desk = new OrderDesk({
      nc,
      subjects,
      defaultVenue: 'paper',
      requestTimeoutMs: 2_000,
      settleGraceMs: 200,
    });
  });

  afterAll(async () => {
    desk.close();
    await nc.close();
  });

  it('acknowledges a D with New, then reports a partial fill and the fill, each once', async () => {
    const s = session('PB1->TM');
    await desk.handle(s, 'D', newOrder('o-1'));
    expect(s.sent[0]?.body).toMatchObject({ ExecType: '0', OrdStatus: '0', ClOrdID: 'o-1' });
    const flow = standIn.flowOf('o-1');
    expect(standIn.starts.at(-1)).toMatchObject({
      verb: 'buy',
      idempotencyKey: 'fix:pb1:o-1',
    });
    const child = clientOrderIdOf({ flowId: flow.flowId, step: 1, child: 0 });
    standIn.orderEvent(child, 'open', '0');
    standIn.orderEvent(child, 'open', '0.4', { tradeId: 't1', price: '100', amount: '0.4' });
    standIn.orderEvent(child, 'open', '0.4', { tradeId: 't1', price: '100', amount: '0.4' });
    standIn.orderEvent(child, 'closed', '1', { tradeId: 't2', price: '101', amount: '0.6' });
    await expectEventually(() => {
      const trades = s.sent.filter((m) => m.body['ExecType'] === 'F').map((m) => m.body);
      expect(trades).toHaveLength(2);
      expect(trades[0]).toMatchObject({ OrdStatus: '1', CumQty: '0.4', LeavesQty: '0.6' });
      expect(trades[1]).toMatchObject({ OrdStatus: '2', CumQty: '1', LeavesQty: '0', AvgPx: '100.6' });
    });
    await desk.handle(s, 'H', { ClOrdID: 'o-1' });
    expect(s.sent.at(-1)?.body).toMatchObject({ ExecType: 'I', OrdStatus: '2' });
  });

  it('rejects a duplicate ClOrdID, from the desk and from the engine replay', async () => {
    const s = session('PB2->TM');
    await desk.handle(s, 'D', newOrder('dup'));
    await desk.handle(s, 'D', newOrder('dup'));
    expect(s.sent.map((m) => m.body['OrdRejReason'])).toEqual([undefined, 6]);
    // Another desk (a restart) knows nothing of it: the engine's replayed flow says it.
    const other = new OrderDesk({
      nc,
      subjects: (desk as unknown as { options: { subjects: Subjects } }).options.subjects,
      defaultVenue: 'paper',
      requestTimeoutMs: 2_000,
    });
    const again = session('PB2->TM');
    await other.handle(again, 'D', newOrder('dup'));
    other.close();
    desk.closeSession('PB2->TM');
    expect(again.sent[0]?.body).toMatchObject({ ExecType: '8', OrdStatus: '8', OrdRejReason: 6 });
  });

  it('cancels through a cancel-orders flow and reports Canceled', async () => {
    const s = session('PB3->TM');
    await desk.handle(s, 'D', newOrder('o-3'));
    const flow = standIn.flowOf('o-3');
    const child = clientOrderIdOf({ flowId: flow.flowId, step: 1, child: 0 });
    standIn.orderEvent(child, 'open', '0');
    await desk.handle(s, 'F', {
      ClOrdID: 'x-3',
      OrigClOrdID: 'o-3',
      Side: '1',
      Instrument: { Symbol: 'BTC/USDT' },
    });
    const cancel = standIn.starts.at(-1)!;
    expect(cancel).toMatchObject({
      verb: 'cancel-orders',
      input: { venue: 'paper', instrument: 'BTC/USDT', side: 'buy', tag: flow.input['tag'] },
    });
    standIn.orderEvent(child, 'canceled', '0');
    standIn.progress(standIn.flowOf('x-3'), 'FlowSucceeded', {
      result: { canceled: 1, alreadyDone: 0, failed: 0, orders: [] },
    });
    await expectEventually(() =>
      expect(s.sent.at(-1)?.body).toMatchObject({
        ExecType: '4',
        OrdStatus: '4',
        ClOrdID: 'x-3',
        OrigClOrdID: 'o-3',
        LeavesQty: '0',
      }),
    );
    expect(s.sent.filter((m) => m.msgType === '9')).toHaveLength(0);
    await expectEventually(() => expect(desk.followedSlots().size).toBe(0));
  });

  it('answers a cancel of an unknown OrigClOrdID with OrderCancelReject 1', async () => {
    const s = session('PB4->TM');
    await desk.handle(s, 'F', {
      ClOrdID: 'x-4',
      OrigClOrdID: 'nope',
      Side: '1',
      Instrument: { Symbol: 'BTC/USDT' },
    });
    expect(s.sent).toEqual([
      {
        msgType: '9',
        body: expect.objectContaining({ CxlRejReason: 1, CxlRejResponseTo: '1', OrigClOrdID: 'nope' }),
      },
    ]);
  });
});
