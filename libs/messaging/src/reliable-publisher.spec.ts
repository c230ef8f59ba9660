import { describe, expect, it } from 'vitest';
import { PublisherClosedError, PublishQueueFullError } from './messaging.exception.js';
import type { NatsLink } from './nats-link.js';
import { ReliablePublisher } from './reliable-publisher.js';

/** A link whose JetStream fails the first `failures` attempts, then acks; it records every attempt. */
function flakyLink(failures: number) {
  const attempts: { subject: string; msgId: string; data: string }[] = [];
  let left = failures;
  const link = {
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    jetstream: {
      publish: async (subject: string, data: Uint8Array, opts: { msgID: string }) => {
        attempts.push({ subject, msgId: opts.msgID, data: Buffer.from(data).toString() });
        if (left-- > 0) throw new Error('disconnected');
        return { seq: attempts.length };
      },
    },
  } as unknown as NatsLink;
  return { link, attempts };
}

/** A link whose publishes never settle, so messages stay queued. */
function stuckLink(): NatsLink {
  return { logger: console, jetstream: { publish: () => new Promise(() => {}) } } as unknown as NatsLink;
}

describe('ReliablePublisher', () => {
  it('retries a failed message under the same id and acks in the order of calls', async () => {
    const { link, attempts } = flakyLink(2);
    const errors: unknown[] = [];
    const publisher = new ReliablePublisher(link, {
      retryInitialMs: 1,
      retryMaxMs: 2,
      onError: (e) => errors.push(e),
    });
    const acked: number[] = [];
    await Promise.all(
      [1, 2, 3].map((n) => publisher.publish('tm.exec.1', { n }, `m-${n}`).then(() => acked.push(n))),
    );
    expect(acked).toEqual([1, 2, 3]);
    expect(attempts.map((a) => a.msgId)).toEqual(['m-1', 'm-1', 'm-1', 'm-2', 'm-3']);
    expect(attempts[0]?.data).toBe('{"n":1}');
    expect(errors).toHaveLength(2);
    expect(publisher.pending).toBe(0);
  });

  it('with maxInFlight sends queued messages together, each retried under its own id', async () => {
    const attempts: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const failedOnce = new Set<string>();
    const link = {
      logger: console,
      jetstream: {
        publish: async (_subject: string, _data: Uint8Array, opts: { msgID: string }) => {
          attempts.push(opts.msgID);
          mostInFlight = Math.max(mostInFlight, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight -= 1;
          if (opts.msgID === 'c-3' && !failedOnce.has('c-3')) {
            failedOnce.add('c-3');
            throw new Error('disconnected');
          }
          return { seq: attempts.length };
        },
      },
    } as unknown as NatsLink;
    const publisher = new ReliablePublisher(link, { retryInitialMs: 1, maxInFlight: 3, onError: () => {} });
    await Promise.all([1, 2, 3, 4].map((n) => publisher.publish('tm.md.candle.1', { n }, `c-${n}`)));
    // c-1 leaves at once; the three queued behind it go out together, and c-3 is sent again.
    expect(attempts).toEqual(['c-1', 'c-2', 'c-3', 'c-4', 'c-3']);
    expect(mostInFlight).toBe(3);
    expect(publisher.pending).toBe(0);
  });

  it('encodes the payload when called, not when sent', async () => {
    const { link, attempts } = flakyLink(1);
    const publisher = new ReliablePublisher(link, { retryInitialMs: 1 });
    const payload = { n: 1 };
    const acked = publisher.publish('tm.exec.1', payload, 'm-1');
    payload.n = 2;
    await acked;
    expect(attempts.map((a) => a.data)).toEqual(['{"n":1}', '{"n":1}']);
  });

  it('rejects what is still queued on close, and every later publish', async () => {
    const publisher = new ReliablePublisher(stuckLink());
    const first = publisher.publish('tm.exec.1', {}, 'm-1');
    const second = publisher.publish('tm.exec.1', {}, 'm-2');
    expect(publisher.pending).toBe(2);
    publisher.close();
    await expect(first).rejects.toBeInstanceOf(PublisherClosedError);
    await expect(second).rejects.toBeInstanceOf(PublisherClosedError);
    await expect(publisher.publish('tm.exec.1', {}, 'm-3')).rejects.toBeInstanceOf(PublisherClosedError);
    expect(publisher.pending).toBe(0);
  });

  it('rejects a publish beyond maxQueued', async () => {
    const publisher = new ReliablePublisher(stuckLink(), { maxQueued: 2 });
    const queued = [publisher.publish('s', {}, 'a'), publisher.publish('s', {}, 'b')];
    await expect(publisher.publish('s', {}, 'c')).rejects.toBeInstanceOf(PublishQueueFullError);
    publisher.close();
    await Promise.allSettled(queued);
  });

  it('flush is true once the queue empties and false when the timeout passes first', async () => {
    const { link } = flakyLink(1);
    const publisher = new ReliablePublisher(link, { retryInitialMs: 1 });
    const acked = publisher.publish('s', {}, 'a');
    await expect(publisher.flush(5_000)).resolves.toBe(true);
    await acked;

    const stuck = new ReliablePublisher(stuckLink());
    const never = stuck.publish('s', {}, 'a');
    await expect(stuck.flush(20)).resolves.toBe(false);
    stuck.close();
    await expect(never).rejects.toBeInstanceOf(PublisherClosedError);
  });
});
