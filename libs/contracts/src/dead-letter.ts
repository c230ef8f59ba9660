import { nowMicros } from './clock.js';
import type { DeadLetterV1 } from './schemas/system.schema.js';

/** Builds the dead letter for a message a service refused: the original subject and bytes, and why. */
export function deadLetterOf(input: {
  service: string;
  instance: string;
  subject: string;
  reason: string;
  payload: Uint8Array;
  headers?: Record<string, string[]>;
}): DeadLetterV1 {
  return {
    v: 1,
    service: input.service,
    instance: input.instance,
    subject: input.subject,
    reason: input.reason,
    payloadBase64: Buffer.from(input.payload).toString('base64'),
    ...(input.headers ? { headers: input.headers } : {}),
    tsInit: nowMicros(),
  };
}
