import { Catch, HttpStatus, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FlowApiError, type FlowApiErrorCode } from './flow-api.error.js';

const STATUS_OF: Readonly<Record<FlowApiErrorCode, HttpStatus>> = {
  INVALID_PAYLOAD: HttpStatus.BAD_REQUEST,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  TOKEN_EXPIRED: HttpStatus.UNAUTHORIZED,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  IDEMPOTENCY_CONFLICT: HttpStatus.CONFLICT,
  FLOW_FINISHED: HttpStatus.CONFLICT,
  FLOW_ENGINE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  FLOW_ENGINE_FAILED: HttpStatus.BAD_GATEWAY,
};

/**
 * Answers a FlowApiError in the gateway's error shapes: 400 as the validation pipes do (`details` per field),
 * every other code as `{ statusCode, code, message }`.
 */
@Catch(FlowApiError)
export class FlowApiExceptionFilter implements ExceptionFilter<FlowApiError> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(error: FlowApiError, host: ArgumentsHost): void {
    const status = STATUS_OF[error.code];
    const body =
      error.code === 'INVALID_PAYLOAD'
        ? { statusCode: status, error: 'Bad Request', message: error.message, details: error.details ?? [] }
        : { statusCode: status, code: error.code, message: error.message };
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, status);
  }
}
