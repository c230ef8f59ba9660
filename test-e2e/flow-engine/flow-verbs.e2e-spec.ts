// Every verb on the paper venue through the flow engine as built: progress events, audit rows, the
// idempotency contract, pre-trade refusals, cancellation, and the audit chain checked by `tm flows verify`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  createStreams,
  VENUE_OPS,
  type FlowStateV1,
  type VenueOp,
  type VenueOpRequest,
  type VenueOpResult,
} from '@tm/contracts';
import { RequestClient } from '@tm/messaging';
import { expectEventually } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../fleet/fleet-process.js';
import { ACCOUNT, FlowTestBed, REQUESTER } from './flow-test-bed.js';

const TM = join(REPO_ROOT, 'tools/tm/dist/main.js');

function runTm(args: string[], databaseUrl: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TM, ...args], {
      env: { ...process.env, TM_DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('flow-engine verbs on the paper venue', () => {
  let bed: FlowTestBed;
  let requests: RequestClient;
  const finished: string[] = [];

  const venueOp = <O extends VenueOp>(op: O, request: VenueOpRequest<O>) =>
    requests.request(bed.subjects.venueRpc('paper', ACCOUNT, op), request, VENUE_OPS[op].result) as Promise<
      VenueOpResult<O>
    >;

  async function run(
    verb: Parameters<FlowTestBed['start']>[0],
    input: Record<string, unknown>,
  ): Promise<FlowStateV1> {
    const started = await bed.start(verb, input);
    const ended = await bed.ended(started.flowId);
    finished.push(ended.flowId);
    return ended;
  }

  function progressTypes(flowId: string): string[] {
    return (bed.progress.get(flowId) ?? []).map((p) => (p.step ? `${p.type}:${p.step}` : p.type));
  }

  beforeAll(async () => {
    bed = await FlowTestBed.open(inject('natsUrl'), inject('databaseUrl'));
    await bed.startMarket({ TM_VENUE_EXEC_RATE: '1000' });
    await bed.flowEngine('fe-verbs', {
      TM_FLOW_TRANSFER_WHITELIST: JSON.stringify({ [`paper/${ACCOUNT}`]: ['paper-savings'] }),
      TM_FLOW_MAX_NOTIONAL: '100000',
    });
    requests = new RequestClient(bed.link);
  }, 90_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('buy at market: checked, placed, filled, with a progress event and an audit row per step attempt', async () => {
    const flow = await run('buy', { venue: 'paper', instrument: 'BTC/USDT', kind: 'market', amount: '0.01' });
    expect(flow.status).toBe('succeeded');
    expect(flow.result).toMatchObject({ ordered: '0.01', filled: '0.01' });
    const expected = [
      'FlowStarted',
      'StepStarted:check',
      'StepSucceeded:check',
      'StepStarted:order',
      'StepSucceeded:order',
      'FlowSucceeded',
    ];
    await expectEventually(() => expect(progressTypes(flow.flowId)).toEqual(expected));
    const audit = await bed.audit(flow.flowId);
    expect(audit.map((r) => (r.step_name ? `${r.type}:${r.step_name}` : r.type))).toEqual(expected);
    expect(audit.every((r) => r.actor.kind === REQUESTER.kind && r.actor.id === REQUESTER.id)).toBe(true);
  });

  it('sell a fraction of the free balance, sized down to the lot', async () => {
    const before = await venueOp('fetch-balance', { v: 1 });
    const freeSol = before.balances.find((b) => b.currency === 'SOL')!.free;
    const flow = await run('sell', {
      venue: 'paper',
      instrument: 'SOL/USDT',
      kind: 'market',
      fractionOfFree: '0.05',
    });
    expect(flow.status).toBe('succeeded');
    const sized = flow.steps.find((s) => s.name === 'size')!.result as { amount: string };
    expect(Number(sized.amount)).toBeCloseTo(Number(freeSol) * 0.05, 3);
    expect(flow.result).toMatchObject({ filled: sized.amount });
  });

  it('a maker-only buy priced through the ask is re-posted one tick inside the touch and rests', async () => {
    const market = await bed.get(
      (await bed.start('buy', { venue: 'paper', instrument: 'BTC/USDT', kind: 'market', amount: '0.001' }))
        .flowId,
    );
    const mid = Number((market.steps[0]!.result as { mid: string }).mid);
    const crossing = (mid * 1.01).toFixed(2);
    const flow = await bed.start('buy', {
      venue: 'paper',
      instrument: 'BTC/USDT',
      kind: 'limit',
      price: crossing,
      makerOnly: true,
      amount: '0.001',
      tag: 'maker-e2e',
    });
    // The first child would have crossed and was refused; a later child went in post-only below it. It rests
    // one tick inside the touch, where the paper market maker may well fill it: either way it never took.
    const children = await expectEventually(async () => {
      const rows = await bed.query<{
        child: number;
        client_order_id: string;
        status: string;
        price: string;
        time_in_force: string;
      }>(
        `SELECT o.child, o.client_order_id, v.status, o.price::text, v.time_in_force FROM flow_engine.flow_orders o
         JOIN venue_connectors.venue_orders v USING (client_order_id) WHERE o.flow_id = $1 ORDER BY o.child`,
        [flow.flowId],
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      // The venue's word on the newest child: it went in (resting or already filled), not refused again.
      expect(['open', 'closed']).toContain(rows.at(-1)!.status);
      return rows;
    }, 20_000);
    expect(children[0]!.status).toBe('rejected');
    expect(children.every((c) => c.time_in_force === 'PO')).toBe(true);
    expect(Number(children.at(-1)!.price)).toBeLessThan(Number(crossing));
    const fills = await bed.query<{ liquidity: string | null }>(
      `SELECT liquidity FROM venue_connectors.venue_fills WHERE client_order_id = ANY($1::text[])`,
      [children.map((c) => c.client_order_id)],
    );
    expect(fills.every((f) => f.liquidity !== 'taker')).toBe(true);

    // cancel-orders by tag cancels it if it still rests; the buy flow then ends with what it got.
    const canceled = await run('cancel-orders', { venue: 'paper', tag: 'maker-e2e' });
    expect(canceled.status).toBe('succeeded');
    const buy = await bed.ended(flow.flowId);
    finished.push(buy.flowId);
    const [last] = await bed.query<{ status: string; filled: string }>(
      `SELECT status, filled::text FROM venue_connectors.venue_orders WHERE client_order_id = $1`,
      [children.at(-1)!.client_order_id],
    );
    expect(['canceled', 'closed']).toContain(last!.status);
    expect(canceled.result).toMatchObject({ canceled: last!.status === 'canceled' ? 1 : 0 });
    expect(Number((buy.result as { filled: string }).filled)).toBe(Number(last!.filled));
  });

  it('reprice moves a resting order to the new tier (amended in place on the paper venue)', async () => {
    const flow = await bed.start('buy', {
      venue: 'paper',
      instrument: 'ETH/USDT',
      kind: 'limit',
      price: '2900.00',
      amount: '0.01',
      tag: 'tier-e2e',
    });
    await expectEventually(async () => {
      const open = await venueOp('fetch-open-orders', { v: 1, instrument: 'ETH/USDT' });
      expect(open.orders.some((o) => o.price === '2900' || o.price === '2900.00')).toBe(true);
    }, 20_000);
    const repriced = await run('reprice', {
      venue: 'paper',
      instrument: 'ETH/USDT',
      tag: 'tier-e2e',
      price: '2910.00',
    });
    expect(repriced.status).toBe('succeeded');
    expect(repriced.result).toMatchObject({ amended: 1 });
    const open = await venueOp('fetch-open-orders', { v: 1, instrument: 'ETH/USDT' });
    expect(open.orders.some((o) => Number(o.price) === 2910)).toBe(true);
    expect(open.orders.some((o) => Number(o.price) === 2900)).toBe(false);
    // The original flow's order was replaced, so that flow ends; clean up what rests.
    finished.push((await bed.ended(flow.flowId)).flowId);
    await run('cancel-orders', { venue: 'paper', instrument: 'ETH/USDT' });
  });

  it('convert ETH to SOL goes through a bridge (no ETH/SOL market) and converts once', async () => {
    const flow = await run('convert', { venue: 'paper', from: 'ETH', to: 'SOL', amount: '0.5' });
    expect(flow.status).toBe('succeeded');
    const route = flow.steps.find((s) => s.name === 'route')!.result as { legs: { instrument: string }[] };
    expect(route.legs.map((l) => l.instrument)).toEqual(['ETH/USDT', 'SOL/USDT']);
    expect(Number((flow.result as { received: string }).received)).toBeGreaterThan(0);
    const placed = await bed.query(
      `SELECT 1 FROM venue_connectors.venue_orders WHERE origin->>'flowId' = $1`,
      [flow.flowId],
    );
    expect(placed).toHaveLength(2);
  });

  it('transfer to a whitelisted sub-account moves the funds; another destination is refused', async () => {
    const ok = await run('transfer', {
      venue: 'paper',
      currency: 'USDT',
      amount: '25',
      toAccount: 'paper-savings',
    });
    expect(ok.status).toBe('succeeded');
    expect(ok.result).toMatchObject({ amount: '25', to: 'paper-savings' });
    const refused = await run('transfer', {
      venue: 'paper',
      currency: 'USDT',
      amount: '25',
      toAccount: 'elsewhere',
    });
    expect(refused.status).toBe('refused');
    expect(refused.error).toMatchObject({ code: 'PRE_TRADE_REFUSED', reason: 'DESTINATION_NOT_WHITELISTED' });
  });

  it('deposit-address gets the address and tracks a deposit to it until it is confirmed', async () => {
    const started = await bed.start('deposit-address', {
      venue: 'paper',
      currency: 'USDT',
      trackForMs: 30_000,
    });
    const address = await expectEventually(() => {
      const seen = (bed.progress.get(started.flowId) ?? []).find(
        (p) => p.type === 'StepSucceeded' && p.step === 'address',
      );
      expect(seen).toBeDefined();
      return (seen!.detail['result'] as { address: string }).address;
    }, 20_000);
    await expectEventually(() =>
      expect(progressTypes(started.flowId)).toContain('StepSucceeded:track-deadline'),
    );
    await venueOp('simulate-deposit', { v: 1, currency: 'USDT', amount: '12.5', address });
    const ended = await bed.ended(started.flowId, 30_000);
    finished.push(ended.flowId);
    expect(ended.status).toBe('succeeded');
    expect(ended.result).toMatchObject({ address, confirmed: { amount: '12.5', status: 'ok' } });
  });

  it('the same request twice gives one flow; the same key with a different request is refused', async () => {
    const key = bed.nextKey('idem');
    const input = { venue: 'paper', instrument: 'BTC/USDT', kind: 'market', amount: '0.002' };
    const first = await bed.start('buy', input, key);
    const second = await bed.start('buy', input, key);
    expect(second.flowId).toBe(first.flowId);
    expect(first.replayed).toBe(false);
    expect(second.replayed).toBe(true);
    finished.push((await bed.ended(first.flowId)).flowId);
    const again = await bed.start('buy', input, key);
    expect(again).toMatchObject({ flowId: first.flowId, replayed: true, status: 'succeeded' });
    const conflict = await bed.command({
      v: 1,
      type: 'start',
      idempotencyKey: key,
      account: ACCOUNT,
      verb: 'buy',
      input: { ...input, amount: '0.003' },
      requester: REQUESTER,
    });
    expect(conflict).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
    const rows = await bed.query(`SELECT 1 FROM flow_engine.flows WHERE idempotency_key = $1`, [key]);
    expect(rows).toHaveLength(1);
    const orders = await bed.query(
      `SELECT 1 FROM venue_connectors.venue_orders WHERE origin->>'flowId' = $1`,
      [first.flowId],
    );
    expect(orders).toHaveLength(1);
  });

  it.each([
    [{ instrument: 'BTC/USDT', kind: 'market', amount: '5' }, 'MAX_NOTIONAL_EXCEEDED'],
    [{ instrument: 'BTC/USDT', kind: 'limit', amount: '0.001', price: '1000.00' }, 'PRICE_OUTSIDE_BAND'],
    [{ instrument: 'DOGE/USDT', kind: 'market', amount: '10' }, 'INSTRUMENT_NOT_TRADABLE'],
    [{ instrument: 'BTC/USDT', kind: 'market', amount: '0.000001' }, 'OFF_GRID'],
  ])('a buy of %o is refused with %s before anything reaches the venue', async (order, reason) => {
    const flow = await run('buy', { venue: 'paper', ...order });
    expect(flow.status).toBe('refused');
    expect(flow.error).toMatchObject({ code: 'PRE_TRADE_REFUSED', reason });
    const placed = await bed.query(`SELECT 1 FROM flow_engine.flow_orders WHERE flow_id = $1`, [flow.flowId]);
    expect(placed).toHaveLength(0);
    expect(progressTypes(flow.flowId).at(-1)).toBe('FlowRefused');
  });

  it('a sell of more than is free is refused INSUFFICIENT_BALANCE', async () => {
    const flow = await run('sell', { venue: 'paper', instrument: 'ETH/USDT', kind: 'market', amount: '20' });
    expect(flow.error).toMatchObject({ reason: 'INSUFFICIENT_BALANCE' });
  });

  it('canceling a running TWAP stops its schedule, and it ends canceled with what it did', async () => {
    const flow = await bed.start('buy', {
      venue: 'paper',
      instrument: 'SOL/USDT',
      kind: 'twap',
      amount: '4',
      twap: { durationMs: 20_000, slices: 4 },
    });
    await expectEventually(
      () => expect(progressTypes(flow.flowId)).toContain('StepSucceeded:slice-0'),
      20_000,
    );
    const reply = await bed.command({
      v: 1,
      type: 'cancel',
      account: ACCOUNT,
      flowId: flow.flowId,
      requester: { kind: 'agent', id: 'risk-bot' },
      reason: 'e2e',
    });
    expect(reply.ok).toBe(true);
    const ended = await bed.ended(flow.flowId);
    finished.push(ended.flowId);
    expect(ended.status).toBe('canceled');
    const result = ended.result as { orders: { filled: string }[] };
    expect(result.orders).toHaveLength(1);
    expect(result.orders[0]!.filled).toBe('1');
    const audit = await bed.audit(flow.flowId);
    const request = audit.find((r) => r.type === 'FlowCancelRequested')!;
    expect(request.actor).toEqual({ kind: 'agent', id: 'risk-bot' });
    expect(audit.some((r) => r.step_name === 'slice-1' && r.type === 'StepSucceeded')).toBe(false);
    const again = await bed.command({
      v: 1,
      type: 'cancel',
      account: ACCOUNT,
      flowId: flow.flowId,
      requester: REQUESTER,
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'FLOW_FINISHED' } });
  });

  it('an invalid command is answered with the fields at fault and dead-lettered', async () => {
    const reply = await bed.command({
      v: 1,
      type: 'start',
      idempotencyKey: bed.nextKey('bad'),
      account: ACCOUNT,
      verb: 'buy',
      input: { venue: 'paper', instrument: 'BTC/USDT', kind: 'limit', amount: '-1' },
      requester: REQUESTER,
    });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('INVALID_PAYLOAD');
    expect(reply.error.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^input\.amount: /),
        expect.stringMatching(/^input\.price: /),
      ]),
    );
    const jsm = await bed.link.jetstreamManager();
    await expectEventually(async () => {
      const info = await jsm.streams.info(createStreams(bed.root).DLQ.name);
      expect(info.state.messages).toBeGreaterThan(0);
    });
  });

  it('every finished flow reached the FLOW stream, and its audit chain verifies until a row is edited', async () => {
    const rows = await bed.query<{ n: string }>(`SELECT count(*)::text AS n FROM flow_engine.flow_audit`);
    const jsm = await bed.link.jetstreamManager();
    await expectEventually(async () => {
      const info = await jsm.streams.info(createStreams(bed.root).FLOW.name);
      expect(info.state.messages).toBe(Number(rows[0]!.n));
    }, 20_000);

    // Every verb's flow announced each of its audit rows as progress, in order.
    const verbs = new Set<string>();
    for (const flowId of finished) {
      const audit = await bed.audit(flowId);
      const types = audit.map((r) => (r.step_name ? `${r.type}:${r.step_name}` : r.type));
      await expectEventually(() => expect(progressTypes(flowId)).toEqual(types));
      verbs.add((await bed.get(flowId)).verb);
    }
    expect([...verbs].sort()).toEqual(
      ['buy', 'cancel-orders', 'convert', 'deposit-address', 'reprice', 'sell', 'transfer'].sort(),
    );

    const all = await runTm(['flows', 'verify', '--all'], bed.database.url);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/\d+ flows checked, 0 broken/);

    const victim = finished[0]!;
    await bed.query(
      `UPDATE flow_engine.flow_audit SET detail = jsonb_set(detail, '{result,filled}', '"9"') WHERE flow_id = $1 AND type = 'FlowSucceeded'`,
      [victim],
    );
    const broken = await runTm(['flows', 'verify', victim], bed.database.url);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`${victim}: BROKEN at row`);
    expect(broken.out).toContain('the row was edited');
    const deleted = finished[1]!;
    await bed.query(
      `DELETE FROM flow_engine.flow_audit WHERE flow_id = $1 AND seq = (SELECT max(seq) FROM flow_engine.flow_audit WHERE flow_id = $1)`,
      [deleted],
    );
    const truncated = await runTm(['flows', 'verify', deleted], bed.database.url);
    expect(truncated.code).toBe(1);
    expect(truncated.out).toContain('rows were deleted');
  });
});
