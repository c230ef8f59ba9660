import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { validatePayload } from '@tm/contracts';
import type { z } from 'zod';

/**
 * Validates a request body where it enters: `@Body(new ZodBodyPipe(LoginRequest))`. A failure answers
 * 400 with `details` naming every failing field (`username: Invalid input: expected string…`).
 */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = validatePayload(this.schema, value);
    if (result.ok) return result.value;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid request body',
      details: result.details,
    });
  }
}
