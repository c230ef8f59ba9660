// The drop test of issue 5: trades flow while clients are cut off every few seconds and come back, each
// time on the other of two gateway instances, resuming from the last sequence they hold. Every client
// must end with every event of its topics exactly once and in order, and no discontinuity.
import { expectEventually } from '@tm/testing';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GatewayTestBed, login, trade, type Push } from './gateway-harness.js';

const FEED_MS = 12_000;
const CLIENTS = 6;
const INSTRUMENTS = [
  { instrument: 'BTC/USDT', source: 'binance' },
  { instrument: 'ETH/USDT', source: 'okx' },
  { instrument: 'SOL/USDT', source: 'kraken' },
];

/** A client that goes from gateway to gateway, resuming each time from what it holds. */
class DroppingClient {
  /** Every sequence received per topic, in arrival order. */
  readonly received = new Map<string, number[]>();
  readonly discontinuities: Push['discontinuities'] = [];
  reconnects = 0;
  private socket: Socket | undefined;
  private epoch: string | undefined;

  constructor(
    private readonly patterns: string[],
    private readonly tokens: Map<string, string>,
  ) {}

  async connect(url: string): Promise<void> {
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      auth: { token: this.tokens.get(url) },
    });
    socket.on('push', (push: Push) => {
      this.discontinuities.push(...push.discontinuities);
      for (const event of push.events) {
        let seqs = this.received.get(event.topic);
        if (seqs === undefined) this.received.set(event.topic, (seqs = []));
        seqs.push(event.seq);
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    this.socket = socket;
    const lastSeq = Object.fromEntries([...this.received].map(([topic, seqs]) => [topic, seqs.at(-1) ?? 0]));
    const ack = (await socket.timeout(10_000).emitWithAck('watch', {
      patterns: this.patterns,
      ...(this.epoch === undefined ? {} : { resume: { epoch: this.epoch, lastSeq } }),
    })) as { ok: boolean; epoch: string };
    expect(ack.ok).toBe(true);
    this.epoch = ack.epoch;
  }

  /** Cut off at once (what was in flight is lost with the socket), then back on the other gateway. */
  async hop(url: string): Promise<void> {
    this.socket?.close();
    this.reconnects += 1;
    await this.connect(url);
  }

  close(): void {
    this.socket?.close();
  }
}

describe('ws-gateway drop test across two instances', () => {
  let bed: GatewayTestBed | undefined;
  const gateways: string[] = [];
  const clients: DroppingClient[] = [];

  beforeAll(async () => {
    bed = await GatewayTestBed.open(inject('databaseUrl'), 'ws_drop');
    // One after the other: the first makes the admin both share.
    for (const instance of ['gw-a', 'gw-b'])
      gateways.push((await bed.gateway({ TM_INSTANCE_ID: instance })).url);
  }, 90_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await bed?.close();
  });

  it('delivers every event of every topic exactly once and in order to clients cut off every few seconds', async () => {
    const numbering = (bed as GatewayTestBed).trades;
    const tokens = new Map<string, string>();
    for (const url of gateways) tokens.set(url, (await login(url)).accessToken);
    for (let i = 0; i < CLIENTS; i++) {
      const mine = INSTRUMENTS[i % INSTRUMENTS.length] as (typeof INSTRUMENTS)[number];
      // A subtree (the source's topic and the consolidated one) and one named topic of another instrument.
      const other = INSTRUMENTS[(i + 1) % INSTRUMENTS.length] as (typeof INSTRUMENTS)[number];
      const client = new DroppingClient(
        [`trades/*/${mine.instrument}`, `trades/${other.source}/${other.instrument}`],
        tokens,
      );
      clients.push(client);
      await client.connect(gateways[i % 2] as string);
    }

    let published = 0;
    const feed = setInterval(() => {
      published += 1;
      for (const { instrument, source } of INSTRUMENTS)
        numbering.publish(trade(instrument, source, published));
    }, 10);
    // Each client hops to the other gateway every 1.5–3 s while the feed runs.
    const hopping = clients.map(async (client, i) => {
      const until = Date.now() + FEED_MS;
      let at = (i + 1) % 2;
      while (Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 1_500 + Math.random() * 1_500));
        await client.hop(gateways[at] as string);
        at = 1 - at;
      }
    });
    await Promise.all(hopping);
    clearInterval(feed);
    await numbering.stored();

    const expected = Array.from({ length: published }, (_, i) => i + 1);
    await expectEventually(() => {
      for (const client of clients)
        for (const seqs of client.received.values()) expect(seqs.length).toBe(published);
    }, 20_000);
    for (const client of clients) {
      expect(client.reconnects).toBeGreaterThanOrEqual(3);
      expect(client.discontinuities).toEqual([]);
      // Three topics each: the subtree's two and the named one.
      expect(client.received.size).toBe(3);
      for (const seqs of client.received.values()) expect(seqs).toEqual(expected);
    }
  }, 90_000);
});
