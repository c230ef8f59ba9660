import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { validatePayload } from '@tm/contracts';
import type { z } from 'zod';

/**
 * Validates a query string where it enters: `@Query(new ZodQueryPipe(CandlesQuery))`, the query schema a
 * RouteDescription documents. A failure answers 400 like ZodBodyPipe, `details` naming every failing field.
 */
export class ZodQueryPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = validatePayload(this.schema, value ?? {});
    if (result.ok) return result.value;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid query',
      details: result.details,
    });
  }
}
