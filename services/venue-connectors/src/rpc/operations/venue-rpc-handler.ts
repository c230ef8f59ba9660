import type { VenueOp, VenueOpRequest, VenueOpResult } from '@tm/contracts';
import type { VenueSession } from '../../sessions/venue-session.js';

/** One venue RPC operation: the validated request in, the result out; failures throw VenueError. */
export type VenueRpcHandler<O extends VenueOp> = (
  session: VenueSession,
  request: VenueOpRequest<O>,
) => Promise<VenueOpResult<O>>;

/** Reads a venue call through the session's breaker (what every read-only op does). */
export function viaGuard<T>(session: VenueSession, call: () => Promise<T>): Promise<T> {
  return session.guard.call(call);
}
