import { Catch, HttpStatus, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MarketApiError, type MarketApiErrorCode } from './market-api.error.js';

const STATUS_OF: Readonly<Record<MarketApiErrorCode, HttpStatus>> = {
  NO_MARKET_DATA: HttpStatus.NOT_FOUND,
  MARKET_DATA_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  UPSTREAM_REFUSED: HttpStatus.BAD_GATEWAY,
};

/** Answers a MarketApiError with its status, its code and its message. */
@Catch(MarketApiError)
export class MarketApiExceptionFilter implements ExceptionFilter<MarketApiError> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(error: MarketApiError, host: ArgumentsHost): void {
    const status = STATUS_OF[error.code];
    const response: unknown = host.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.reply(
      response,
      { statusCode: status, code: error.code, message: error.message },
      status,
    );
  }
}
