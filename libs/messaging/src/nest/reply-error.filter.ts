import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands every handler exception to TmNatsTransport untouched, so a plain error with a reply code
 * (`ILLEGAL_TRANSITION`, …) keeps it. Nest's default filter would turn it into "Internal server error".
 * Register it on the microservice: `app.useGlobalFilters(new ReplyErrorFilter())`.
 */
@Catch()
export class ReplyErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
