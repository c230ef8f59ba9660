import { decodePayload } from '@tm/contracts';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { z } from 'zod';

/** Every payload of a stream whose subject starts with `prefix`, in stream order, validated. */
export async function streamPayloads<S extends z.ZodType>(
  jsm: JetStreamManager,
  stream: string,
  prefix: string,
  schema: S,
): Promise<z.infer<S>[]> {
  const info = await jsm.streams.info(stream);
  const payloads: z.infer<S>[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq += 1) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!message?.subject.startsWith(prefix)) continue;
    const decoded = decodePayload(schema, message.data);
    if (!decoded.ok) throw new Error(`bad payload on ${message.subject}: ${decoded.reason}`);
    payloads.push(decoded.value);
  }
  return payloads;
}
