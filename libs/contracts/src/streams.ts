import { createSubjects, DEFAULT_SUBJECT_ROOT } from './subjects.js';

/** A JetStream stream the platform provisions: its name and the subjects it captures. */
export interface StreamSpec {
  readonly name: string;
  readonly subjects: readonly string[];
  /** Max age of a message in the stream, in milliseconds (0 = keep until limits). */
  readonly maxAgeMs: number;
  /** Messages kept per subject at most (the oldest go first); unset = no per-subject limit. */
  readonly maxMsgsPerSubject?: number;
}

/** Events kept per push topic in stream PUSH: the product's backfill of 50 on connect, with room to resume. */
export const PUSH_EVENTS_KEPT_PER_TOPIC = 200;

const DAY_MS = 86_400_000;

export type Streams = ReturnType<typeof createStreams>;

/** Stream names are `<ROOT>_<KIND>` (`TM_MD`), so a test root gets streams of its own. */
export function createStreams(root: string = DEFAULT_SUBJECT_ROOT) {
  const s = createSubjects(root);
  const prefix = root.toUpperCase();
  return {
    /** Market data for persistence: ticks, trades, book deltas, and the aggregator's closed candles and arbitrage windows. */
    MD: {
      name: `${prefix}_MD`,
      subjects: [s.all.mdTick(), s.all.mdTrade(), s.all.mdBook(), s.all.mdCandle(), s.all.mdArbitrage()],
      maxAgeMs: DAY_MS,
    },
    /** Execution reports, order and position updates. */
    EXEC: { name: `${prefix}_EXEC`, subjects: [s.all.exec()], maxAgeMs: 7 * DAY_MS },
    /** Flow events (started, step done, finished): the audit the persister keeps. */
    FLOW: { name: `${prefix}_FLOW`, subjects: [s.all.flowEvent()], maxAgeMs: 7 * DAY_MS },
    /** Lifecycle transitions and metric snapshots: kept so observability can catch up. */
    SYS: {
      name: `${prefix}_SYS`,
      subjects: [s.all.sysLifecycle(), s.all.sysSnapshot()],
      maxAgeMs: 7 * DAY_MS,
    },
    /** Per-topic sequenced events for the gateways' push (ADR 0006): backfill and resume on any instance. */
    PUSH: {
      name: `${prefix}_PUSH`,
      subjects: [s.all.push()],
      maxAgeMs: DAY_MS,
      maxMsgsPerSubject: PUSH_EVENTS_KEPT_PER_TOPIC,
    },
    /** Dead letters of every service, with their reasons. */
    DLQ: { name: `${prefix}_DLQ`, subjects: [s.all.dlq()], maxAgeMs: 30 * DAY_MS },
  } satisfies Record<string, StreamSpec>;
}

/** JetStream key-value buckets the platform provisions, named like streams: `<ROOT>_<KIND>`. */
export function createBuckets(root: string = DEFAULT_SUBJECT_ROOT) {
  createSubjects(root); // validates the root
  const prefix = root.toUpperCase();
  return {
    /** Venue rate budgets shared by every venue-connectors replica. */
    VENUE_BUDGET: `${prefix}_VENUE_BUDGET`,
    /** Which venue-connectors replica streams each venue account. */
    VENUE_SESSIONS: `${prefix}_VENUE_SESSIONS`,
    /** Live aggregator instances (SlotMembership): who owns which slots. */
    AGGREGATOR_MEMBERS: `${prefix}_AGGREGATOR_MEMBERS`,
    /** Live persister instances (SlotMembership): who writes which slots. */
    PERSISTER_MEMBERS: `${prefix}_PERSISTER_MEMBERS`,
    /** Live flow-engine instances (SlotMembership): who runs the flows of which accounts. */
    FLOW_ENGINE_MEMBERS: `${prefix}_FLOW_ENGINE_MEMBERS`,
    /** The last saved state of each instrument, by instrument, so a moved slot resumes where it was. */
    AGGREGATION_STATE: `${prefix}_AGGREGATION_STATE`,
  };
}
