import type { PipeTransform } from '@nestjs/common';
import { validatePayload } from '@tm/contracts';
import type { z } from 'zod';
import { InvalidPayloadError } from '../messaging.exception.js';

/**
 * Validates a handler's payload where it enters: `@Payload(new SchemaPipe(ControlCommandV1))`. A failure
 * throws InvalidPayloadError naming every failing field; TmNatsTransport dead-letters the message.
 */
export class SchemaPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = validatePayload(this.schema, value);
    if (!result.ok) throw new InvalidPayloadError(result.reason, result.details);
    return result.value;
  }
}
