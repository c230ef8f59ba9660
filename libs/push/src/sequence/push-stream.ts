// Reading stream PUSH: a topic's last sequence (for the sequencer taking over a slot) and the events kept
// for a subscription (a gateway's backfill and resume).
import { decodePayload, PushEventV1 } from '@tm/contracts';
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { LastSequenceLookup } from './topic-sequencer.js';

/** A stored message that is not a PushEventV1: the reader skips it and says why. */
export interface RefusedPushMessage {
  subject: string;
  payload: Uint8Array;
  reason: string;
}

/** An event as the stream keeps it, with the subject of its topic. */
export interface StoredPushEvent {
  subject: string;
  event: PushEventV1;
}

export interface KeptEvents {
  events: StoredPushEvent[];
  refused: RefusedPushMessage[];
  /** More was kept than the reader takes: only the last event of each topic was read. */
  lastOnly: boolean;
}

const READ_TIMEOUT_MS = 5_000;

export function lastSequenceIn(jsm: JetStreamManager, stream: string): LastSequenceLookup {
  return async (subject) => {
    const stored = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    if (stored === null) return 0;
    const decoded = decodePayload(PushEventV1, stored.data);
    // Numbering on from a message that cannot be read would restart the topic at 1: refuse instead.
    if (!decoded.ok) throw new Error(`last event on ${subject} is not a PushEventV1: ${decoded.reason}`);
    return decoded.value.seq;
  };
}

/**
 * Every event the stream keeps on the subjects `filter` matches (the stream caps each topic), in stream
 * order. Past `maxEvents` only the last event of each topic is read: enough to know where each one stands.
 */
export async function readKeptEvents(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  filter: string,
  maxEvents: number,
): Promise<KeptEvents> {
  const info = await jsm.streams.info(stream, { subjects_filter: filter });
  const counts = Object.values(info.state.subjects ?? {});
  const kept = counts.reduce((sum, n) => sum + n, 0);
  const out: KeptEvents = { events: [], refused: [], lastOnly: kept > maxEvents };
  if (kept === 0) return out;
  const wanted = out.lastOnly ? counts.length : kept;
  const consumer = await js.consumers.get(stream, {
    filter_subjects: filter,
    deliver_policy: out.lastOnly ? DeliverPolicy.LastPerSubject : DeliverPolicy.All,
  });
  let read = 0;
  try {
    while (read < wanted) {
      const batch = await consumer.fetch({ max_messages: wanted - read, expires: READ_TIMEOUT_MS });
      let received = 0;
      for await (const msg of batch) {
        received += 1;
        read += 1;
        const decoded = decodePayload(PushEventV1, msg.data);
        if (decoded.ok) out.events.push({ subject: msg.subject, event: decoded.value });
        else out.refused.push({ subject: msg.subject, payload: msg.data, reason: decoded.reason });
        // Nothing more on the filter (some were removed by age or limit since the count).
        if (msg.info.pending === 0) read = wanted;
      }
      if (received === 0) break;
    }
  } finally {
    await consumer.delete().catch(() => false);
  }
  return out;
}
