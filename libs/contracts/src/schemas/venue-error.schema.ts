import { z } from 'zod';

/** The small set of codes every venue failure is mapped to, whatever the venue said. */
export const VENUE_ERROR_CODES = [
  'INSUFFICIENT_FUNDS',
  'INVALID_ORDER',
  'POST_ONLY_WOULD_CROSS',
  'NOT_FOUND',
  'RATE_LIMITED',
  'VENUE_UNAVAILABLE',
  /** The venue may or may not have acted (timeout, 5xx, dropped ack): resolve by asking it, never assume. */
  'AMBIGUOUS',
] as const;
export type VenueErrorCode = (typeof VENUE_ERROR_CODES)[number];
export const VenueErrorCodeV1 = z.enum(VENUE_ERROR_CODES);
