// A flow engine SIGKILLed at every step of a TWAP in turn: another instance takes the flow over and ends
// it with the ordered quantity filled once and no extra child order, judged from the venue's own records.
import { Decimal } from 'decimal.js';
import { expectEventually } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FlowTestBed } from './flow-test-bed.js';

const SLICES = 4;
const AMOUNT = '0.4';
// check, plan, then one step per slice.
const STEPS = ['check', 'plan', ...Array.from({ length: SLICES }, (_, k) => `slice-${k}`)];

describe('flow-engine durability: SIGKILL at every step of a TWAP', () => {
  let bed: FlowTestBed;

  beforeAll(async () => {
    bed = await FlowTestBed.open(inject('natsUrl'), inject('databaseUrl'));
    await bed.startMarket({ TM_VENUE_EXEC_RATE: '1000' });
  }, 90_000);

  afterAll(async () => {
    await bed?.close();
  });

  it.each(STEPS.map((step, index) => ({ step, index })))(
    'killed as step $step starts, the flow resumes elsewhere and fills the order once',
    async ({ step, index }) => {
      const first = await bed.flowEngine(`fe-kill-${index}-a`);
      const flow = await bed.start('buy', {
        venue: 'paper',
        instrument: 'ETH/USDT',
        kind: 'twap',
        amount: AMOUNT,
        twap: { durationMs: 3_000, slices: SLICES },
      });
      // Kill the instant the step's first attempt is committed and announced.
      await expectEventually(
        () => {
          const seen = bed.progress.get(flow.flowId) ?? [];
          expect(seen.some((p) => p.type === 'StepStarted' && p.step === step)).toBe(true);
        },
        20_000,
        1,
      );
      first.process.signal('SIGKILL');
      await first.process.exited;

      const second = await bed.flowEngine(`fe-kill-${index}-b`);
      const ended = await bed.ended(flow.flowId, 45_000);
      expect(ended.status).toBe('succeeded');
      expect(ended.result).toMatchObject({ ordered: AMOUNT, filled: AMOUNT, remaining: '0' });

      // The venue's side: exactly one order per slice, each filled once, together the ordered amount.
      const venueOrders = await bed.query<{ client_order_id: string; filled: string; status: string }>(
        `SELECT client_order_id, filled::text, status FROM venue_connectors.venue_orders
         WHERE origin->>'flowId' = $1`,
        [flow.flowId],
      );
      expect(venueOrders).toHaveLength(SLICES);
      expect(venueOrders.every((o) => o.status === 'closed')).toBe(true);
      const filled = venueOrders.reduce((sum, o) => sum.plus(o.filled), new Decimal(0));
      expect(filled.toString()).toBe(AMOUNT);
      const fills = await bed.query<{ n: string; amount: string }>(
        `SELECT count(*)::text AS n, coalesce(sum(amount), 0)::text AS amount FROM venue_connectors.venue_fills
         WHERE venue_order_id IN (SELECT venue_order_id FROM venue_connectors.venue_orders WHERE origin->>'flowId' = $1)`,
        [flow.flowId],
      );
      expect(new Decimal(fills[0]!.amount).toString()).toBe(AMOUNT);

      // The engine's side: the same four children, the takeover audited, the chain intact.
      const children = await bed.query<{ client_order_id: string }>(
        `SELECT client_order_id FROM flow_engine.flow_orders WHERE flow_id = $1`,
        [flow.flowId],
      );
      expect(children.map((c) => c.client_order_id).sort()).toEqual(
        venueOrders.map((o) => o.client_order_id).sort(),
      );
      const audit = await bed.audit(flow.flowId);
      expect(audit.some((row) => row.type === 'FlowResumed')).toBe(true);
      expect(audit.at(-1)!.type).toBe('FlowSucceeded');
      await bed.stop(second);
    },
    120_000,
  );

  it('keeps the TWAP schedule across the takeover: slices after the restart are not re-planned', async () => {
    const engine = await bed.flowEngine('fe-schedule-a');
    const flow = await bed.start('buy', {
      venue: 'paper',
      instrument: 'ETH/USDT',
      kind: 'twap',
      amount: '0.3',
      twap: { durationMs: 3_000, slices: 3 },
    });
    await expectEventually(
      () => {
        const seen = bed.progress.get(flow.flowId) ?? [];
        expect(seen.some((p) => p.type === 'StepSucceeded' && p.step === 'slice-0')).toBe(true);
      },
      20_000,
      1,
    );
    engine.process.signal('SIGKILL');
    await engine.process.exited;
    const second = await bed.flowEngine('fe-schedule-b');
    const ended = await bed.ended(flow.flowId, 45_000);
    expect(ended.status).toBe('succeeded');
    const plans = (await bed.audit(flow.flowId)).filter(
      (r) => r.type === 'StepSucceeded' && r.step_name === 'plan',
    );
    // One plan, committed once: the resumed instance read it back instead of computing another.
    expect(plans).toHaveLength(1);
    const plan = ended.steps.find((s) => s.name === 'plan')!.result as {
      startAt: number;
      intervalMs: number;
    };
    expect(plan.intervalMs).toBe(1_000);
    await bed.stop(second);
  }, 120_000);
});
