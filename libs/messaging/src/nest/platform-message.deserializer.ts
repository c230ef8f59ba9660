import type { Msg } from '@nats-io/transport-node';
import type { ConsumerDeserializer, IncomingEvent } from '@nestjs/microservices';
import { decodePayload } from '@tm/contracts';
import { z } from 'zod';

/** A message as the platform sends it (plain JSON, no Nest envelope), with what a dead letter needs. */
export interface PlatformMessage extends IncomingEvent {
  /** The subscribed channel, which is the handler's pattern. */
  pattern: string;
  /** The parsed JSON; undefined when it did not parse. */
  data: unknown;
  /** Present iff the sender waits for a reply: the reply subject. */
  id?: string;
  subject: string;
  raw: Uint8Array;
  headers?: Record<string, string[]>;
  /** Why the bytes are not JSON, when they are not. */
  undecodable?: string;
}

const anyJson = z.unknown();

export class PlatformMessageDeserializer implements ConsumerDeserializer {
  deserialize(msg: Msg, options?: { channel?: string }): PlatformMessage {
    const decoded = decodePayload(anyJson, msg.data);
    return {
      pattern: options?.channel ?? msg.subject,
      data: decoded.ok ? decoded.value : undefined,
      ...(msg.reply ? { id: msg.reply } : {}),
      subject: msg.subject,
      raw: msg.data,
      ...(msg.headers ? { headers: Object.fromEntries(msg.headers) } : {}),
      ...(decoded.ok ? {} : { undecodable: decoded.reason }),
    };
  }
}
