import { setTimeout as sleep } from 'node:timers/promises';
import type { Exchange } from 'ccxt';

/** How long a feed waits for ccxt to close its sockets, or for a handshake, before going on. */
export const CLOSE_GRACE_MS = 2_000;

/** Waits for `work` at most CLOSE_GRACE_MS; a hung socket never holds a feed open. */
export async function withinGrace(work: Promise<unknown>): Promise<void> {
  const timeout = new AbortController();
  await Promise.race([
    work.catch(() => undefined),
    sleep(CLOSE_GRACE_MS, undefined, { signal: timeout.signal }).catch(() => undefined),
  ]);
  timeout.abort();
}

/** Closes an instance's websockets and drops their caches, so the next feed starts fresh. */
export async function closeWebsockets(ex: Exchange): Promise<void> {
  await withinGrace(ex.close());
  ex.cleanWsData();
}
