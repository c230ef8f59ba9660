// Query fields shared by the REST routes: points in time and result limits, parsed once, documented once.
import { z } from 'zod';

/** A point in time, exact to the microsecond. */
export interface Instant {
  /** Microseconds since the Unix epoch, UTC. */
  readonly micros: number;
}

const INSTANT = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2}))?$/;
const INSTANT_EXPECTED =
  'must be an ISO 8601 time like 2024-05-01T12:00:00Z (or a date like 2024-05-01, UTC)';
const DATE_EXPECTED = 'must be a date like 2024-05-01';

/** The instant of an ISO 8601 text with an offset (a bare date is its UTC midnight), or undefined. */
export function parseInstant(text: string): Instant | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [, date, clock, fraction, offset] = match;
  if (!isCalendarDate(date)) return undefined;
  const seconds = clock === undefined ? '00:00:00' : clock.length === 5 ? `${clock}:00` : clock;
  const millis = Date.parse(`${date}T${seconds}${offset ?? 'Z'}`);
  if (Number.isNaN(millis)) return undefined;
  // Date keeps milliseconds only, so the fraction is added as microseconds by hand.
  const micros = Number((fraction ?? '').padEnd(6, '0'));
  return { micros: millis * 1_000 + micros };
}

function isCalendarDate(date: string): boolean {
  const millis = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(millis) && new Date(millis).toISOString().slice(0, 10) === date;
}

/** `from` / `to` of a query: an ISO 8601 time, parsed to microseconds. */
export const InstantParam = z
  .string()
  .meta({ description: INSTANT_EXPECTED, examples: ['2024-05-01T00:00:00Z'] })
  .transform((text, context): Instant => {
    const instant = parseInstant(text);
    if (instant === undefined) {
      context.addIssue({ code: 'custom', message: INSTANT_EXPECTED });
      return z.NEVER;
    }
    return instant;
  });

/** A UTC calendar day, `2024-05-01`. */
export const DateParam = z
  .string()
  .meta({ description: 'a UTC date like 2024-05-01', examples: ['2024-05-01'] })
  .refine((text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && isCalendarDate(text), DATE_EXPECTED);

/** `limit` of a query: a whole number from 1 to `max`, `fallback` when absent. */
export function limitParam(fallback: number, max: number) {
  return z.coerce
    .number()
    .int()
    .min(1)
    .max(max)
    .default(fallback)
    .meta({ description: `how many at most (default ${fallback}, at most ${max})` });
}

/** Refuses a range whose end is before its start (microseconds or ISO dates), naming `to`. */
export function refuseReversedRange(
  from: number | string | undefined,
  to: number | string | undefined,
  context: z.RefinementCtx,
): void {
  if (from !== undefined && to !== undefined && from > to)
    context.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
}

/** ISO 8601 in UTC with all six fraction digits (`2024-05-01T12:00:00.000001Z`), as PostgreSQL keeps time. */
export function formatInstant(micros: number): string {
  const millis = Math.floor(micros / 1_000);
  const fraction = String(micros - Math.floor(micros / 1_000_000) * 1_000_000).padStart(6, '0');
  return `${new Date(millis).toISOString().slice(0, 19)}.${fraction}Z`;
}
