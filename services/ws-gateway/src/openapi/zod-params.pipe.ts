import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { validatePayload } from '@tm/contracts';
import type { z } from 'zod';

/**
 * Validates a route's path parameters where they enter: `@Param(new ZodParamsPipe(FlowParams))`, the params
 * schema a RouteDescription documents. A failure answers 400 like ZodQueryPipe, `details` naming each one.
 */
export class ZodParamsPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = validatePayload(this.schema, value ?? {});
    if (result.ok) return result.value;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid path',
      details: result.details,
    });
  }
}
