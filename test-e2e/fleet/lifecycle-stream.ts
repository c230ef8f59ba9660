import {
  LifecycleTransitionV1,
  decodePayload,
  type DeadLetterV1,
  DeadLetterV1 as DeadLetterSchema,
} from '@tm/contracts';
import type { JetStreamManager } from '@nats-io/jetstream';

/** Every message of a stream whose subject starts with `prefix`, in stream order. */
async function readStream(jsm: JetStreamManager, stream: string, prefix: string) {
  const info = await jsm.streams.info(stream);
  const messages = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq += 1) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (message && message.subject.startsWith(prefix)) messages.push(message);
  }
  return messages;
}

export async function lifecycleEvents(
  jsm: JetStreamManager,
  stream: string,
  prefix: string,
): Promise<LifecycleTransitionV1[]> {
  const events: LifecycleTransitionV1[] = [];
  for (const message of await readStream(jsm, stream, prefix)) {
    const decoded = decodePayload(LifecycleTransitionV1, message.data);
    if (!decoded.ok) throw new Error(`bad lifecycle event on ${message.subject}: ${decoded.reason}`);
    events.push(decoded.value);
  }
  return events;
}

export async function deadLetters(
  jsm: JetStreamManager,
  stream: string,
  prefix: string,
): Promise<DeadLetterV1[]> {
  const letters: DeadLetterV1[] = [];
  for (const message of await readStream(jsm, stream, prefix)) {
    const decoded = decodePayload(DeadLetterSchema, message.data);
    if (!decoded.ok) throw new Error(`bad dead letter on ${message.subject}: ${decoded.reason}`);
    letters.push(decoded.value);
  }
  return letters;
}

/** The application-level states one service walked through, in order. */
export function applicationStates(events: readonly LifecycleTransitionV1[], service: string): string[] {
  return events.filter((e) => e.level === 'application' && e.service === service).map((e) => e.to);
}
