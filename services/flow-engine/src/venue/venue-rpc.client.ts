import {
  VENUE_OPS,
  type Subjects,
  type VenueOp,
  type VenueOpRequest,
  type VenueOpResult,
} from '@tm/contracts';
import { NoRespondersError, ReplyError, RequestTimeoutError, type RequestClient } from '@tm/messaging';
import { StepError } from '../engine/step.error.js';

/**
 * Answers after which another attempt may succeed. INTERNAL is among them: every op a step sends is safe
 * to repeat (an order keeps its client order id), and venue-connectors says INTERNAL for its own trouble
 * (a busy database), not for a venue's verdict. Every other code is the request's final answer.
 */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'RATE_LIMITED',
  'VENUE_UNAVAILABLE',
  'AMBIGUOUS',
  'UNAVAILABLE',
  'INTERNAL',
]);
/** The venue refused the order and placed nothing: no order rests that a cleanup would need to cancel. */
export const DEFINITE_REFUSALS: ReadonlySet<string> = new Set([
  'INSUFFICIENT_FUNDS',
  'INVALID_ORDER',
  'POST_ONLY_WOULD_CROSS',
  'INVALID_PAYLOAD',
]);
/** How long a venue's instrument list is reused: listings change by the day, not by the order. */
const INSTRUMENTS_MAX_AGE_MS = 60_000;

/**
 * Venue RPC for flow steps: one op on one venue account, its failure turned into a StepError that says
 * whether to retry. A timeout or no responder is retryable: the same request (same client order id) is
 * safe to send again, venue-connectors answers it from the order it already has.
 */
export class VenueRpcClient {
  constructor(
    private readonly requests: RequestClient,
    private readonly subjects: Subjects,
    private readonly timeoutMs: number,
  ) {}

  private readonly instruments = new Map<
    string,
    { at: number; list: Promise<VenueOpResult<'fetch-instruments'>> }
  >();

  async call<O extends VenueOp>(
    venue: string,
    account: string,
    op: O,
    request: VenueOpRequest<O>,
  ): Promise<VenueOpResult<O>> {
    if (op === 'fetch-instruments')
      return this.cachedInstruments(venue, account) as Promise<VenueOpResult<O>>;
    return this.send(venue, account, op, request);
  }

  private cachedInstruments(venue: string, account: string): Promise<VenueOpResult<'fetch-instruments'>> {
    const key = `${venue}/${account}`;
    const cached = this.instruments.get(key);
    if (cached && performance.now() - cached.at < INSTRUMENTS_MAX_AGE_MS) return cached.list;
    const list = this.send(venue, account, 'fetch-instruments', { v: 1 });
    this.instruments.set(key, { at: performance.now(), list });
    list.catch(() => this.instruments.delete(key));
    return list;
  }

  private async send<O extends VenueOp>(
    venue: string,
    account: string,
    op: O,
    request: VenueOpRequest<O>,
  ): Promise<VenueOpResult<O>> {
    const subject = this.subjects.venueRpc(venue, account, op);
    try {
      return (await this.requests.request(subject, request, VENUE_OPS[op].result, {
        timeoutMs: this.timeoutMs,
      })) as VenueOpResult<O>;
    } catch (error) {
      if (error instanceof ReplyError)
        throw new StepError(error.code, error.message, RETRYABLE_CODES.has(error.code), error.retryAfterMs);
      if (error instanceof RequestTimeoutError || error instanceof NoRespondersError)
        throw new StepError('VENUE_UNREACHABLE', `${venue}/${account} ${op}: ${error.message}`, true);
      throw error;
    }
  }
}
