// The names a FIX order carries into the platform: the idempotency key of each flow it starts and the tag
// its venue orders are selected by. Both are functions of (client, ClOrdID) alone, so a resend finds the same.
import { createHash } from 'node:crypto';
import type { FlowRequesterV1 } from '@tm/contracts';

const KEY_PATTERN = /^[A-Za-z0-9_.:=-]{8,128}$/;
/** Parts used as they are: no `:`, so `client:ClOrdID` never reads two ways. */
const PLAIN_PART = /^[A-Za-z0-9_.=-]+$/;

function digest(clientId: string, clOrdId: string): string {
  // A newline cannot be in either part, so the hashed text is unambiguous too.
  return createHash('sha256').update(`${clientId}\n${clOrdId}`).digest('hex');
}

/** `fix:<client>:<ClOrdID>` when it fits the key pattern, else `fixh:<sha256>`. */
export function idempotencyKeyOf(clientId: string, clOrdId: string): string {
  const plain = `fix:${clientId}:${clOrdId}`;
  if (PLAIN_PART.test(clientId) && PLAIN_PART.test(clOrdId) && KEY_PATTERN.test(plain)) return plain;
  return `fixh:${digest(clientId, clOrdId)}`;
}

/** The tag of the order's flows (36 characters): unique to (client, ClOrdID of the NewOrderSingle). */
export function orderTagOf(clientId: string, clOrdId: string): string {
  return `fix.${digest(clientId, clOrdId).slice(0, 32)}`;
}

export function requesterOf(sessionKey: string): FlowRequesterV1 {
  return { kind: 'fix-session', id: sessionKey };
}
