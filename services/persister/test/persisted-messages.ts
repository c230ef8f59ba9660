// Valid messages of every family the persister keeps, numbered so each makes a distinct row.
import type {
  ArbitrageWindowV1,
  CandleV1,
  ExecutionEventV1,
  FlowEventV1,
  SnapshotV1,
  Subjects,
  TickV1,
  TradeV1,
} from '@tm/contracts';
import { accountSlot, instrumentSlot } from '@tm/sharding';

/** 2026-11-21T00:00:00Z in microseconds: inside the retention of every table. */
export const BASE_MICROS = Date.UTC(2026, 10, 21) * 1_000;
const MINUTE = 60_000_000;

export interface Message {
  subject: string;
  payload: unknown;
}

export const instrumentOf = (n: number) => `P${String(n % 20).padStart(3, '0')}/USDT`;

export function tick(s: Subjects, n: number, instrument = instrumentOf(n)): Message {
  const payload: TickV1 = {
    v: 1,
    instrument,
    source: 'paper',
    bid: 100 + (n % 7),
    bidSize: 1.5,
    ask: 101 + (n % 7),
    askSize: 2,
    tsEvent: BASE_MICROS + n * 10,
    tsInit: BASE_MICROS + n * 10 + 3,
  };
  return { subject: s.mdTick(instrumentSlot(instrument)), payload };
}

export function trade(s: Subjects, n: number): Message {
  const instrument = instrumentOf(n);
  const payload: TradeV1 = {
    v: 1,
    instrument,
    source: 'paper',
    tradeId: `t-${n}`,
    price: 100.25,
    amount: 0.5,
    takerSide: n % 2 === 0 ? 'buy' : 'sell',
    tsEvent: BASE_MICROS + n * 1_000,
    tsInit: BASE_MICROS + n * 1_000 + 5,
  };
  return { subject: s.mdTrade(instrumentSlot(instrument)), payload };
}

export function candle(s: Subjects, n: number): Message {
  const instrument = instrumentOf(n);
  const payload: CandleV1 = {
    v: 1,
    instrument,
    intervalMicros: MINUTE,
    start: BASE_MICROS + Math.floor(n / 20) * MINUTE,
    open: 100,
    high: 102,
    low: 99,
    close: 101,
    volume: 3,
    trades: 4,
  };
  return { subject: s.mdCandle(instrumentSlot(instrument)), payload };
}

export function arbitrage(s: Subjects, n: number): Message {
  const instrument = instrumentOf(n);
  const payload: ArbitrageWindowV1 = {
    v: 1,
    instrument,
    buySource: 'paper',
    sellSource: 'binance',
    openedAt: BASE_MICROS + n * MINUTE,
    closedAt: BASE_MICROS + n * MINUTE + 500_000,
    durationMicros: 500_000,
    bestEdgeBps: 4.5,
    bestEdgeAt: BASE_MICROS + n * MINUTE + 100_000,
  };
  return { subject: s.mdArbitrage(instrumentSlot(instrument)), payload };
}

/** An accepted order (n even) or one of its fills (n odd), on account `acct-<n % 3>`. */
export function execution(s: Subjects, n: number): Message {
  const account = `acct-${n % 3}`;
  const order = {
    clientOrderId: `co-${n >> 1}`,
    venueOrderId: `vo-${n >> 1}`,
    instrument: 'BTC/USDT',
    side: 'buy' as const,
    kind: 'limit' as const,
    timeInForce: 'GTC' as const,
    price: '60000.5',
    amount: '0.01',
    filled: n % 2 === 0 ? '0' : '0.01',
    status: n % 2 === 0 ? ('open' as const) : ('closed' as const),
  };
  const base = {
    v: 1 as const,
    eventId: `ev-${n}`,
    venue: 'paper',
    account,
    tsEvent: BASE_MICROS + n * 1_000,
    tsInit: BASE_MICROS + n * 1_000 + 7,
    order,
    reconciled: false,
  };
  const payload: ExecutionEventV1 =
    n % 2 === 0
      ? { ...base, type: 'OrderAccepted' }
      : {
          ...base,
          type: 'OrderFilled',
          fill: {
            tradeId: `f-${n}`,
            price: '60000.5',
            amount: '0.01',
            feeCost: '0.6',
            feeCurrency: 'USDT',
            liquidity: 'maker',
          },
        };
  return { subject: s.exec(accountSlot(account)), payload };
}

export function flowEvent(s: Subjects, n: number): Message {
  const account = `acct-${n % 3}`;
  const payload: FlowEventV1 = {
    v: 1,
    eventId: `fe-${n}`,
    flowId: `flow-${n >> 2}`,
    verb: 'buy',
    account,
    type: n % 4 === 0 ? 'FlowStarted' : 'StepSucceeded',
    step: n % 4 === 0 ? null : 'place-order',
    attempt: n % 4 === 0 ? null : 1,
    detail: { amount: '0.01' },
    tsEvent: BASE_MICROS + n * 1_000,
    tsInit: BASE_MICROS + n * 1_000 + 2,
  };
  return { subject: s.flowEvent(accountSlot(account)), payload };
}

export function snapshot(s: Subjects, n: number): Message {
  const payload: SnapshotV1 = {
    v: 1,
    service: 'aggregator',
    instance: `agg-${n % 2}`,
    state: 'Running',
    tsInit: BASE_MICROS + n * 60_000_000,
    cpuPercent: 12.5,
    memory: { rssBytes: 1_000_000, heapUsedBytes: 500_000, heapTotalBytes: 800_000 },
    eventLoopLagMs: { p50: 1.2, p99: 8.5 },
    gauges: { ticksPerSecond: 1200 },
  };
  return { subject: s.sysSnapshot('aggregator', `agg-${n % 2}`), payload };
}

/** How many of each, and the table each lands in (fills: one per odd execution event). */
export const MIX = {
  tick: 1_200,
  trade: 60,
  candle: 40,
  arbitrage: 6,
  execution: 30,
  flow: 12,
  snapshot: 4,
} as const;

export function everyFamily(s: Subjects): Message[] {
  const out: Message[] = [];
  for (let n = 0; n < MIX.tick; n++) out.push(tick(s, n));
  for (let n = 0; n < MIX.trade; n++) out.push(trade(s, n));
  for (let n = 0; n < MIX.candle; n++) out.push(candle(s, n));
  for (let n = 0; n < MIX.arbitrage; n++) out.push(arbitrage(s, n));
  for (let n = 0; n < MIX.execution; n++) out.push(execution(s, n));
  for (let n = 0; n < MIX.flow; n++) out.push(flowEvent(s, n));
  for (let n = 0; n < MIX.snapshot; n++) out.push(snapshot(s, n));
  return out;
}

export const EXPECTED_ROWS = {
  ticks: MIX.tick,
  trades: MIX.trade,
  candles: MIX.candle,
  arbitrage_windows: MIX.arbitrage,
  execution_events: MIX.execution,
  fills: MIX.execution / 2,
  flow_events: MIX.flow,
  metric_snapshots: MIX.snapshot,
} as const;
