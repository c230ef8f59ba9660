// ReliablePublisher and NatsLink across a NATS restart, against a nats-server child process of this file's own.
import { createStreams, createSubjects } from '@tm/contracts';
import { NatsLink, provisionStream, ReliablePublisher, type LinkStatus } from '../src/index.js';
import { expectEventually, NatsServerProcess, uniqueSubjectRoot } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readStream } from './stream-reader.js';

const MESSAGES = 2_000;
const root = uniqueSubjectRoot();
const subjects = createSubjects(root);
const stream = createStreams(root).EXEC;

describe('ReliablePublisher across a NATS restart', () => {
  let server: NatsServerProcess;
  let link: NatsLink;
  let publisher: ReliablePublisher;
  const statuses: LinkStatus[] = [];

  beforeAll(async () => {
    server = await NatsServerProcess.start();
    link = await NatsLink.connect({
      servers: [server.url],
      name: 'messaging-test/publisher',
      pingIntervalMs: 500,
      maxPingOut: 2,
      reconnectWaitMs: 100,
      reconnectJitterMs: 50,
    });
    link.onStatus((status) => statuses.push(status));
    await provisionStream(await link.jetstreamManager(), stream);
    publisher = new ReliablePublisher(link, { retryInitialMs: 50, retryMaxMs: 500 });
  });

  afterAll(async () => {
    publisher?.close();
    await link?.close();
    await server?.dispose();
  });

  it('stores every message exactly once, in the order of calls, while the server is killed and restarted', async () => {
    const acked: number[] = [];
    const published = Array.from({ length: MESSAGES }, (_, i) =>
      publisher.publish(subjects.exec(1 + (i % 7)), { n: i + 1 }, `m-${i + 1}`).then(() => acked.push(i + 1)),
    );

    await expectEventually(() => expect(acked.length).toBeGreaterThanOrEqual(300), 20_000, 5);
    await server.kill();
    await expectEventually(() => expect(statuses).toContain('down'), 10_000);
    expect(link.isConnected).toBe(false);
    const ackedWhileDown = acked.length;
    expect(ackedWhileDown).toBeLessThan(MESSAGES);
    await server.restart();

    await Promise.all(published);
    expect(acked).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 1));
    expect(statuses).toEqual(['down', 'up']);
    expect(link.isConnected).toBe(true);

    const stored = await readStream(await link.jetstreamManager(), stream.name);
    expect(stored.map((message) => message.json<{ n: number }>().n)).toEqual(
      Array.from({ length: MESSAGES }, (_, i) => i + 1),
    );
    console.info(
      `[messaging] ${ackedWhileDown} of ${MESSAGES} acked before kill -9; all ${MESSAGES} stored once, in order`,
    );
  }, 60_000);
});
