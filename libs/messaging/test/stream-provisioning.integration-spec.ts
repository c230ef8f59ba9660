import type { JetStreamManager } from '@nats-io/jetstream';
import { createStreams } from '@tm/contracts';
import { NatsLink, provisionDurableConsumer, provisionStream } from '../src/index.js';
import { uniqueSubjectRoot } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const root = uniqueSubjectRoot();
const streams = createStreams(root);
const NS_PER_MS = 1_000_000;

describe('stream and consumer provisioning', () => {
  let link: NatsLink;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    link = await NatsLink.connect({
      servers: [inject('natsUrl')],
      name: 'messaging-test/provisioning',
      pingIntervalMs: 5_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    jsm = await link.jetstreamManager();
  });

  afterAll(async () => {
    for (const spec of Object.values(streams)) await jsm?.streams.delete(spec.name).catch(() => false);
    await link?.close();
  });

  it('adds a missing stream, then leaves it alone', async () => {
    await provisionStream(jsm, streams.MD);
    const created = await jsm.streams.info(streams.MD.name);
    expect([...created.config.subjects].sort()).toEqual([...streams.MD.subjects].sort());
    expect(created.config.max_age).toBe(streams.MD.maxAgeMs * NS_PER_MS);

    await provisionStream(jsm, streams.MD);
    const again = await jsm.streams.info(streams.MD.name);
    expect(again.created).toBe(created.created);
    expect(again.config).toEqual(created.config);
  });

  it('updates a stream whose subjects or max age differ', async () => {
    await jsm.streams.add({
      name: streams.EXEC.name,
      subjects: [`${root}.exec.1`],
      max_age: 60_000 * NS_PER_MS,
    });
    await provisionStream(jsm, streams.EXEC);
    const info = await jsm.streams.info(streams.EXEC.name);
    expect(info.config.subjects).toEqual([...streams.EXEC.subjects]);
    expect(info.config.max_age).toBe(streams.EXEC.maxAgeMs * NS_PER_MS);
  });

  it('keeps at most the per-subject limit of a stream that sets one, and restores the limit when changed', async () => {
    const spec = streams.PUSH;
    await provisionStream(jsm, spec);
    const limit = spec.maxMsgsPerSubject ?? 0;
    expect((await jsm.streams.info(spec.name)).config.max_msgs_per_subject).toBe(limit);
    const js = link.jetstream;
    const subject = `${root}.push.trades.1.binance.BTC/USDT`;
    for (let i = 0; i < limit + 5; i++) await js.publish(subject, new Uint8Array([i % 256]));
    expect((await jsm.streams.info(spec.name)).state.messages).toBe(limit);

    await jsm.streams.update(spec.name, { max_msgs_per_subject: 3 });
    await provisionStream(jsm, spec);
    expect((await jsm.streams.info(spec.name)).config.max_msgs_per_subject).toBe(limit);
  });

  it('survives 5 processes provisioning the same stream at once', async () => {
    const racers = await Promise.all(
      Array.from({ length: 5 }, () =>
        NatsLink.connect({
          servers: [inject('natsUrl')],
          name: 'messaging-test/racer',
          pingIntervalMs: 5_000,
          maxPingOut: 2,
          reconnectWaitMs: 200,
          reconnectJitterMs: 100,
        }),
      ),
    );
    try {
      const managers = await Promise.all(racers.map((racer) => racer.jetstreamManager()));
      const results = await Promise.allSettled(
        managers.map((manager) => provisionStream(manager, streams.SYS)),
      );
      expect(results.map((result) => result.status)).toEqual(Array(5).fill('fulfilled'));
    } finally {
      await Promise.all(racers.map((racer) => racer.close()));
    }
    const info = await jsm.streams.info(streams.SYS.name);
    expect([...info.config.subjects].sort()).toEqual([...streams.SYS.subjects].sort());
  });

  it('adds a durable pull consumer with explicit acks once, and updates its ack wait', async () => {
    await provisionStream(jsm, streams.DLQ);
    const config = {
      durableName: 'dlq-reader',
      filterSubject: `${root}.dlq.aggregator`,
      ackWaitMs: 30_000,
      maxAckPending: 500,
    };
    await provisionDurableConsumer(jsm, streams.DLQ.name, config);
    await provisionDurableConsumer(jsm, streams.DLQ.name, config);
    const created = await jsm.consumers.info(streams.DLQ.name, 'dlq-reader');
    expect(created.config).toMatchObject({
      durable_name: 'dlq-reader',
      ack_policy: 'explicit',
      deliver_policy: 'all',
      filter_subject: `${root}.dlq.aggregator`,
      ack_wait: 30_000 * NS_PER_MS,
      max_ack_pending: 500,
    });
    expect(created.config.deliver_subject).toBeUndefined();

    await provisionDurableConsumer(jsm, streams.DLQ.name, { ...config, ackWaitMs: 45_000 });
    const updated = await jsm.consumers.info(streams.DLQ.name, 'dlq-reader');
    expect(updated.config.ack_wait).toBe(45_000 * NS_PER_MS);
    expect(updated.created).toBe(created.created);
  });
});
