import { createBuckets, createStreams } from '@tm/contracts';
import type { NatsLink } from '@tm/messaging';

/** Deletes the JetStream streams and KV buckets of a bench run's subject root (what its services made). */
export async function dropRunStreams(link: NatsLink, root: string): Promise<void> {
  const jsm = await link.jetstreamManager();
  for (const spec of Object.values(createStreams(root)))
    await jsm.streams.delete(spec.name).catch(() => false);
  for (const bucket of Object.values(createBuckets(root)))
    await jsm.streams.delete(`KV_${bucket}`).catch(() => false);
}
