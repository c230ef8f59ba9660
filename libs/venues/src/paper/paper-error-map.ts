import { ExchangeRejection, type ExchangeRejectionCode } from '@tm/matching';
import type { VenueErrorCode } from '@tm/contracts';
import { VenueError } from '../adapter/venue-error.js';

const CODES: Record<ExchangeRejectionCode, VenueErrorCode> = {
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  INVALID_ORDER: 'INVALID_ORDER',
  POST_ONLY_WOULD_CROSS: 'POST_ONLY_WOULD_CROSS',
  DUPLICATE_CLIENT_ORDER_ID: 'INVALID_ORDER',
  UNKNOWN_INSTRUMENT: 'INVALID_ORDER',
  FOK_NOT_FILLABLE: 'INVALID_ORDER',
  ORDER_NOT_FOUND: 'NOT_FOUND',
  UNKNOWN_ACCOUNT: 'NOT_FOUND',
};

/** The paper exchange refuses with ExchangeRejection; anything else is a fault in the venue itself. */
export function mapPaperError(error: unknown, operation: string): VenueError {
  if (error instanceof VenueError) return error;
  if (error instanceof ExchangeRejection)
    return new VenueError(CODES[error.code], `${operation}: ${error.message}`, {
      cause: error,
      ...(error.field === undefined ? {} : { field: error.field }),
    });
  const message = error instanceof Error ? error.message : String(error);
  return new VenueError('VENUE_UNAVAILABLE', `${operation}: ${message}`, { cause: error });
}
