import { ContractError } from './contract.error.js';

// Every subject of the platform, built from literals. The root (`tm` in production) is the only
// variable part, so a test run can live under a root of its own; renaming code never renames the wire.
export const DEFAULT_SUBJECT_ROOT = 'tm';
/** A subject root: lower-case letters and digits, starting with a letter, at most 16 characters. */
export const SUBJECT_ROOT_PATTERN = /^[a-z][a-z0-9]{0,15}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]+$/;
/** A push topic's source or key, as @tm/push encodes it for a subject (`~` stands for what a token cannot hold). */
const PUSH_TOKEN_PATTERN = /^[A-Za-z0-9_:/=~-]+$/;

export function isValidSubjectRoot(root: string): boolean {
  return SUBJECT_ROOT_PATTERN.test(root);
}

/** Slots run from 1 to 32767 (libs/sharding); a subject never carries anything else. */
const MAX_SLOT = 32_767;

function token(kind: string, value: string): string {
  if (!TOKEN_PATTERN.test(value))
    throw new ContractError('INVALID_SUBJECT_TOKEN', `${kind} "${value}" is not a valid subject token`);
  return value;
}

function pushToken(kind: string, value: string): string {
  if (value !== '*' && !PUSH_TOKEN_PATTERN.test(value))
    throw new ContractError('INVALID_SUBJECT_TOKEN', `push ${kind} "${value}" is not a valid subject token`);
  return value;
}

function slotToken(slot: number): string {
  if (!Number.isInteger(slot) || slot < 1 || slot > MAX_SLOT) {
    throw new ContractError('INVALID_SLOT', `slot ${slot} is not a whole number from 1 to ${MAX_SLOT}`);
  }
  return String(slot);
}

export type Subjects = ReturnType<typeof createSubjects>;

export function createSubjects(root: string = DEFAULT_SUBJECT_ROOT) {
  if (!isValidSubjectRoot(root)) {
    throw new ContractError(
      'INVALID_SUBJECT_ROOT',
      `subject root "${root}" must match ${SUBJECT_ROOT_PATTERN}`,
    );
  }
  const svc = (service: string) => token('service', service);
  const inst = (instance: string) => token('instance', instance);
  return {
    root,
    // Market data, keyed by the instrument's slot (JetStream stream MD captures tick/trade/book).
    mdTick: (slot: number) => `${root}.md.tick.${slotToken(slot)}`,
    mdTrade: (slot: number) => `${root}.md.trade.${slotToken(slot)}`,
    mdBook: (slot: number) => `${root}.md.book.${slotToken(slot)}`,
    mdAgg: (slot: number) => `${root}.md.agg.${slotToken(slot)}`,
    /** Closed candles and arbitrage windows, from the aggregator that owns the slot (stream MD). */
    mdCandle: (slot: number) => `${root}.md.candle.${slotToken(slot)}`,
    mdArbitrage: (slot: number) => `${root}.md.arb.${slotToken(slot)}`,
    /** A consumer lost a source's book (a slot moved): the venue session streaming it sends a snapshot. */
    mdResync: (slot: number) => `${root}.md.resync.${slotToken(slot)}`,
    /** Request/reply: the current AggregateV1 of one instrument, answered by its slot's owner. */
    mdSnapshot: (slot: number) => `${root}.md.snapshot.${slotToken(slot)}`,
    /**
     * One push topic's sequenced events (stream PUSH, ADR 0006), `tm.push.<stream>.<slot>.<source>.<key>`
     * with source and key encoded by @tm/push; `*` at any level but the slot makes a subscription pattern.
     */
    push: (stream: string, slot: number | '*', source: string, key: string) =>
      `${root}.push.${stream === '*' ? '*' : token('stream', stream)}.${slot === '*' ? '*' : slotToken(slot)}.${pushToken('source', source)}.${pushToken('key', key)}`,
    // Commands and execution, keyed by the account's slot.
    flowCmd: (slot: number) => `${root}.flow.cmd.${slotToken(slot)}`,
    flowProgress: (slot: number) => `${root}.flow.progress.${slotToken(slot)}`,
    /** A flow's durable events (stream FLOW), keyed by the account's slot: what the persister keeps. */
    flowEvent: (slot: number) => `${root}.flow.event.${slotToken(slot)}`,
    exec: (slot: number) => `${root}.exec.${slotToken(slot)}`,
    /** Venue RPC: one op on one venue account (`tm.venue.binance.binance-main.create-order`). */
    venueRpc: (venue: string, account: string, op: string) =>
      `${root}.venue.${token('venue', venue)}.${token('account', account)}.${token('op', op)}`,
    // Control plane, per service instance.
    sysBeacon: (service: string, instance: string) => `${root}.sys.beacon.${svc(service)}.${inst(instance)}`,
    sysSnapshot: (service: string, instance: string) =>
      `${root}.sys.snapshot.${svc(service)}.${inst(instance)}`,
    sysLifecycle: (service: string, instance: string) =>
      `${root}.sys.lifecycle.${svc(service)}.${inst(instance)}`,
    sysLog: (service: string, instance: string) => `${root}.sys.log.${svc(service)}.${inst(instance)}`,
    /** Control of one instance. */
    sysCtl: (service: string, instance: string) => `${root}.sys.ctl.${svc(service)}.${inst(instance)}`,
    /** Control of every instance of a service: each answers. */
    sysCtlService: (service: string) => `${root}.sys.ctl.${svc(service)}`,
    /** Status of every instance of every service: a scatter-gather request, each instance answers. */
    sysStatus: () => `${root}.sys.status`,
    dlq: (service: string) => `${root}.dlq.${svc(service)}`,
    // Wildcards for consumers that listen to a whole family.
    all: {
      mdTick: () => `${root}.md.tick.*`,
      mdTrade: () => `${root}.md.trade.*`,
      mdBook: () => `${root}.md.book.*`,
      mdAgg: () => `${root}.md.agg.*`,
      mdCandle: () => `${root}.md.candle.*`,
      mdArbitrage: () => `${root}.md.arb.*`,
      mdSnapshot: () => `${root}.md.snapshot.*`,
      mdResync: () => `${root}.md.resync.*`,
      exec: () => `${root}.exec.*`,
      flowEvent: () => `${root}.flow.event.*`,
      flowCmd: () => `${root}.flow.cmd.*`,
      flowProgress: () => `${root}.flow.progress.*`,
      venueRpc: () => `${root}.venue.>`,
      sysBeacon: () => `${root}.sys.beacon.>`,
      sysSnapshot: () => `${root}.sys.snapshot.>`,
      sysLifecycle: () => `${root}.sys.lifecycle.>`,
      sysLog: () => `${root}.sys.log.>`,
      dlq: () => `${root}.dlq.>`,
      push: () => `${root}.push.>`,
    },
  };
}
