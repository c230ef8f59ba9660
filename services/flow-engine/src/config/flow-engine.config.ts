import { env } from '@tm/config';
import { hostedConfigSpec } from '@tm/service-host';
import { z } from 'zod';

const TransferWhitelist = z.record(
  z.string().regex(/^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/, 'keys are <venue>/<account>'),
  z.array(z.string().min(1).max(120)),
);
const VenueList = z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a venue id'));

/** flow-engine's configuration: the platform's fields, pre-trade limits, timings; HTTP on port 7403. */
export const flowEngineConfigSpec = {
  ...hostedConfigSpec(7403),
  /** Largest notional of one order in USD: USD-stablecoin quotes count 1:1, any other quote at its <quote>/USDT mid. */
  maxNotional: env.string('TM_FLOW_MAX_NOTIONAL', {
    default: '250000',
    pattern: /^\d+(\.\d+)?$/,
    expected: 'a decimal like 250000',
  }),
  priceBandBps: env.int('TM_FLOW_PRICE_BAND_BPS', { default: 500, min: 1, max: 10_000 }),
  transferWhitelist: env.json('TM_FLOW_TRANSFER_WHITELIST', TransferWhitelist, {
    default: {},
    expected: 'a JSON object like {"binance/main":["binance-sub1"]}',
  }),
  amendInPlaceVenues: env.json('TM_FLOW_AMEND_IN_PLACE_VENUES', VenueList, {
    default: ['paper'],
    expected: 'a JSON list of venue ids like ["paper","binance"]',
  }),
  orderPollMs: env.durationMs('TM_FLOW_ORDER_POLL', { default: 2_000, min: 50 }),
  defaultMaxAttempts: env.int('TM_FLOW_STEP_MAX_ATTEMPTS', { default: 5, min: 1, max: 1_000 }),
  retryBaseMs: env.durationMs('TM_FLOW_RETRY_BASE', { default: 250, min: 1 }),
  retryMaxMs: env.durationMs('TM_FLOW_RETRY_MAX', { default: 30_000, min: 1 }),
  venueTimeoutMs: env.durationMs('TM_FLOW_VENUE_TIMEOUT', { default: 5_000, min: 100 }),
  marketTimeoutMs: env.durationMs('TM_FLOW_MARKET_TIMEOUT', { default: 1_000, min: 50 }),
  /** How long a start command waits for the flow's first step (for most verbs, the pre-trade checks) before answering. */
  startReplyWaitMs: env.durationMs('TM_FLOW_START_REPLY_WAIT', { default: 3_000, min: 0 }),
  memberTtlMs: env.durationMs('TM_FLOW_MEMBER_TTL', { default: 5_000, min: 300 }),
  /** How often owned slots are checked for flows that no runner holds (a runner that stopped on an error). */
  resumeSweepMs: env.durationMs('TM_FLOW_RESUME_SWEEP', { default: 5_000, min: 100 }),
  commitLanes: env.int('TM_FLOW_COMMIT_LANES', { default: 2, min: 1, max: 64 }),
  commitBatch: env.int('TM_FLOW_COMMIT_BATCH', { default: 256, min: 1, max: 10_000 }),
};
