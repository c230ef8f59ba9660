import { createHash } from 'node:crypto';
import type { OrderOriginV1 } from './schemas/venue-rpc.schema.js';

/**
 * The client order id of the order a flow step asks for: a function of (flow, step, child) alone, so a
 * retry re-sends the same id and the venue refuses or finds the first. 32 characters of [a-z0-9], which
 * every venue accepts (Binance 36, OKX 32 alphanumeric, Bybit 36).
 */
export function clientOrderIdOf(origin: OrderOriginV1): string {
  const digest = createHash('sha256').update(`${origin.flowId}/${origin.step}/${origin.child}`).digest('hex');
  return `tm${digest.slice(0, 30)}`;
}
