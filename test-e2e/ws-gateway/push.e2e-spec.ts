// The ws-gateway process, as built, with socket.io clients: a subtree is watched, updates arrive batched
// (never two pushes to one connection within the push window), every trade of a watched topic arrives
// once and in order with its sequence, and an unwatch stops them.
import { encodePayload, PUSH_EVENTS_KEPT_PER_TOPIC, type AggregateV1, type Subjects } from '@tm/contracts';
import type { NatsLink } from '@tm/messaging';
import { instrumentSlot } from '@tm/sharding';
import { expectEventually, TestCertificate } from '@tm/testing';
import https from 'node:https';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import {
  ADMIN_PASSWORD,
  GatewayTestBed,
  login,
  trade,
  type Push,
  type TradeNumbering,
} from './gateway-harness.js';

const WINDOW_MS = 100;

/** An aggregate whose book has `depth` levels a side (a deep book is a big state update). */
function aggregate(instrument: string, bid: number, tsInit: number, depth = 1): AggregateV1 {
  const side = (from: number, step: number) =>
    Array.from({ length: depth }, (_, i) => level(from + i * step));
  const level = (price: number) => ({ price, size: 1, sources: [{ source: 'binance', size: 1 }] });
  return {
    v: 1,
    instrument,
    tsInit,
    sources: [
      {
        source: 'binance',
        bid,
        bidSize: 1,
        ask: bid + 1,
        askSize: 1,
        mid: bid + 0.5,
        tsEvent: tsInit,
        tsInit,
        ticksPerSec: 1,
        receiveLatencyMicros: 0,
        book: 'trusted',
      },
    ],
    book: { bids: side(bid, -0.01), asks: side(bid + 1, 0.01) },
    bestBid: { price: bid, size: 1, source: 'binance' },
    bestAsk: { price: bid + 1, size: 1, source: 'binance' },
    lastTrade: null,
    vwap: { candle: null, candleIntervalMicros: 1_000_000, session: null },
    candles: [],
    comparisons: [],
    arbitrage: [],
  };
}

describe('ws-gateway push over socket.io', () => {
  let bed: GatewayTestBed | undefined;
  let link: NatsLink;
  let subjects: Subjects;
  let trades: TradeNumbering;
  let url: string;
  let token: string;
  const sockets: Socket[] = [];

  const open = (at: string, auth: Record<string, unknown>) => {
    const socket = io(at, { path: '/socket.io', transports: ['websocket'], reconnection: false, auth });
    sockets.push(socket);
    return socket;
  };
  const connect = async (at = url, accessToken = token): Promise<{ socket: Socket; pushes: Push[] }> => {
    const socket = open(at, { token: accessToken });
    const pushes: Push[] = [];
    socket.on('push', (push: Push) => pushes.push(push));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return { socket, pushes };
  };
  const ask = (socket: Socket, event: string, body: unknown) =>
    socket.timeout(5_000).emitWithAck(event, body) as Promise<{ ok: boolean; [k: string]: unknown }>;
  beforeAll(async () => {
    bed = await GatewayTestBed.open(inject('databaseUrl'), 'ws_push');
    ({ link, subjects, trades } = bed);
    ({ url } = await bed.gateway({ TM_INSTANCE_ID: 'gw-e2e' }));
    token = (await login(url)).accessToken;
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await bed?.close();
  });

  it('accepts a socket only with a valid access token', async () => {
    for (const auth of [{}, { token: 'not-a-jwt' }]) {
      const socket = open(url, auth);
      const refusal = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
      expect(refusal.message).toMatch(/^unauthorized: (no access token|invalid)$/);
    }
  });

  it('refuses a bad pattern, naming the level, and watches nothing for it', async () => {
    const { socket } = await connect();
    expect(await ask(socket, 'watch', { patterns: ['ticker/*/BTC/USDT', 'prices/*/*'] })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD', field: 'stream' },
    });
    expect(await ask(socket, 'watch', { patterns: 'ticker' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD', details: [expect.stringContaining('patterns')] },
    });
  });

  it('pushes a watched subtree in batches, at most one per window, every trade once and in order, until unwatched', async () => {
    const { socket, pushes } = await connect();
    const watched = await ask(socket, 'watch', { patterns: ['ticker/*/BTC/USDT', 'trades/*/BTC/USDT'] });
    expect(watched).toMatchObject({ ok: true, truncated: 0 });
    const btc = instrumentSlot('BTC/USDT');
    // 60 aggregates and 60 trades over ~1.2 s; ETH is not watched.
    for (let i = 1; i <= 60; i++) {
      link.connection.publish(
        subjects.mdAgg(btc),
        encodePayload(aggregate('BTC/USDT', 100 + i, Date.now() * 1_000)),
      );
      trades.publish(trade('BTC/USDT', 'binance', i));
      trades.publish(trade('ETH/USDT', 'binance', i));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const tradesOf = (topic: string) => pushes.flatMap((p) => p.events).filter((e) => e.topic === topic);
    await expectEventually(() => expect(tradesOf('trades/binance/BTC/USDT')).toHaveLength(60));
    // The first trades came with the topic's appearance (its backfill), the rest live: once each, in order.
    expect(tradesOf('trades/binance/BTC/USDT').map((e) => e.seq)).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    expect(tradesOf('trades/*/BTC/USDT').map((e) => e.value.tradeId)).toEqual(
      Array.from({ length: 60 }, (_, i) => `t${i + 1}`),
    );
    expect(pushes.flatMap((p) => [...p.events, ...p.states]).some((x) => x.topic.includes('ETH'))).toBe(
      false,
    );
    // Batched: far fewer pushes than updates, and never two within a window (gateway-side send times).
    expect(pushes.length).toBeLessThan(40);
    for (let i = 1; i < pushes.length; i++)
      expect((pushes[i] as Push).at - (pushes[i - 1] as Push).at).toBeGreaterThanOrEqual(WINDOW_MS);
    // State topics conflate: the last consolidated ticker seen is the last aggregate's.
    const tickers = pushes.flatMap((p) => p.states).filter((s) => s.topic === 'ticker/*/BTC/USDT');
    expect(tickers.at(-1)?.value).toMatchObject({ bestBid: { price: 160 } });

    expect(
      await ask(socket, 'unwatch', { patterns: ['ticker/*/BTC/USDT', 'trades/*/BTC/USDT'] }),
    ).toMatchObject({
      ok: true,
      watching: [],
    });
    const seen = pushes.length;
    for (let i = 61; i <= 70; i++) trades.publish(trade('BTC/USDT', 'binance', i));
    await new Promise((resolve) => setTimeout(resolve, 4 * WINDOW_MS));
    expect(pushes.length).toBe(seen);
  });

  it('gives a new watcher the last 50 trades the stream keeps, though nobody here watched the topic, then the live ones', async () => {
    for (let i = 1; i <= 80; i++) trades.publish(trade('SOL/USDT', 'okx', i));
    await trades.stored();
    const { socket, pushes } = await connect();
    await ask(socket, 'watch', { patterns: ['trades/okx/SOL/USDT'] });
    trades.publish(trade('SOL/USDT', 'okx', 81));
    await expectEventually(() =>
      expect(pushes.flatMap((p) => p.events).map((e) => e.seq)).toEqual(
        Array.from({ length: 51 }, (_, i) => i + 31),
      ),
    );
  });

  it('resumes a reconnecting client after its last sequence, nothing lost or repeated, and says so when it cannot', async () => {
    const topic = 'trades/okx/XRP/USDT';
    const publishTrades = (from: number, to: number) => {
      for (let i = from; i <= to; i++) trades.publish(trade('XRP/USDT', 'okx', i));
    };
    const seqs = (pushes: Push[]) => pushes.flatMap((p) => p.events).map((e) => e.seq);
    const first = await connect();
    const ack = await ask(first.socket, 'watch', { patterns: [topic] });
    publishTrades(1, 10);
    await expectEventually(() =>
      expect(seqs(first.pushes)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1)),
    );
    first.socket.close();
    publishTrades(11, 20);
    await trades.stored();

    const again = await connect();
    await ask(again.socket, 'watch', {
      patterns: [topic],
      resume: { epoch: ack['epoch'], lastSeq: { [topic]: 10 } },
    });
    publishTrades(21, 25);
    await expectEventually(() =>
      expect(seqs(again.pushes)).toEqual(Array.from({ length: 15 }, (_, i) => i + 11)),
    );
    expect(again.pushes.flatMap((p) => p.discontinuities)).toEqual([]);

    // Too far behind (the stream keeps the last 200 of a topic) or from another stream incarnation: a gap,
    // said out loud, then what is kept.
    publishTrades(26, 300);
    await trades.stored();
    const late = await connect();
    await ask(late.socket, 'watch', {
      patterns: [topic],
      resume: { epoch: ack['epoch'], lastSeq: { [topic]: 20 } },
    });
    await expectEventually(() => {
      expect(late.pushes.flatMap((p) => p.discontinuities)).toEqual([{ topic, lastSeq: 20, reason: 'gap' }]);
      expect(seqs(late.pushes)).toEqual(Array.from({ length: 200 }, (_, i) => i + 101));
    });
    const stranger = await connect();
    await ask(stranger.socket, 'watch', {
      patterns: [topic],
      resume: { epoch: 'another-stream', lastSeq: { [topic]: 99 } },
    });
    await expectEventually(() => {
      expect(stranger.pushes.flatMap((p) => p.discontinuities)).toEqual([
        { topic, lastSeq: 99, reason: 'gap' },
      ]);
      expect(seqs(stranger.pushes)).toHaveLength(200);
    });
  });

  it('stops deliveries when the access token expires and resumes them, watches kept, on a fresh one over the socket', async () => {
    const short = await (bed as GatewayTestBed).gateway({
      TM_INSTANCE_ID: 'gw-e2e-short',
      TM_JWT_ACCESS_EXPIRY: '2s',
    });
    const { socket, pushes } = await connect(short.url, (await login(short.url)).accessToken);
    const expired = new Promise<unknown>((resolve) => socket.once('token_expired', resolve));
    await ask(socket, 'watch', { patterns: ['trades/kraken/ADA/USDT'] });
    let id = 0;
    const feed = setInterval(() => trades.publish(trade('ADA/USDT', 'kraken', ++id)), 50);
    try {
      await expired;
      const atExpiry = pushes.length;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(pushes.length).toBe(atExpiry);
      expect(await ask(socket, 'auth', { token: (await login(short.url)).accessToken })).toMatchObject({
        ok: true,
      });
      await expectEventually(() => expect(pushes.length).toBeGreaterThan(atExpiry));
      // Nothing was lost while deliveries were stopped: the window kept the events, in order.
      const seqs = pushes.flatMap((p) => p.events).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    } finally {
      clearInterval(feed);
    }
  }, 30_000);

  it('holds at most its cap for a client that stops reading, cuts its events with a marker, and keeps serving the others', async () => {
    // Above what one window of these books holds (~160 KB), so a client that reads keeps everything.
    const CAP = 262_144;
    const capped = await (bed as GatewayTestBed).gateway({
      TM_INSTANCE_ID: 'gw-e2e-capped',
      TM_PUSH_MAX_PENDING_BYTES: String(CAP),
    });
    const held = async () => {
      const text = await (await fetch(`${capped.url}/metrics`)).text();
      const value = (where: string) =>
        Number(new RegExp(`tm_ws_held_bytes\\{where="${where}",of="largest"[^}]*\\} (\\d+)`).exec(text)?.[1]);
      const overflows = Number(/tm_ws_overflows\{[^}]*\} (\d+)/.exec(text)?.[1]);
      return { window: value('window'), socket: value('socket'), overflows };
    };
    const accessToken = (await login(capped.url)).accessToken;
    const patterns = ['book/*/*', 'trades/bitfinex/AVAX/USDT'];
    const slow = await connect(capped.url, accessToken);
    const fast = await connect(capped.url, accessToken);
    const slowAck = await ask(slow.socket, 'watch', { patterns });
    await ask(fast.socket, 'watch', { patterns });
    // The slow client stops reading its socket: the kernel's buffers fill, then the gateway's window.
    const engine = slow.socket.io.engine as unknown as {
      transport: { ws: { _socket: { pause(): void; resume(): void } } };
    };
    engine.transport.ws._socket.pause();
    const instruments = Array.from({ length: 20 }, (_, i) => `C${i}/USDT`);
    let sent = 0;
    const peaks = { window: 0, socket: 0 };
    // Until the stuck client's events overflow (the kernel's buffers take tens of MB first), and a bit more.
    const deadline = Date.now() + 40_000;
    let more = 5;
    while (Date.now() < deadline && more > 0) {
      for (const instrument of instruments)
        link.connection.publish(
          subjects.mdAgg(instrumentSlot(instrument)),
          encodePayload(aggregate(instrument, 1_000 + sent, Date.now() * 1_000, 40)),
        );
      for (let i = 0; i < 40; i++) trades.publish(trade('AVAX/USDT', 'bitfinex', ++sent));
      const now = await held();
      peaks.window = Math.max(peaks.window, now.window);
      peaks.socket = Math.max(peaks.socket, now.socket);
      if (now.overflows > 0) more -= 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await trades.stored();
    const events = (pushes: Push[]) => pushes.flatMap((p) => p.events).map((e) => e.seq);
    // The fast client got every trade, in order, while the other one was stuck.
    await expectEventually(() =>
      expect(events(fast.pushes)).toEqual(Array.from({ length: sent }, (_, i) => i + 1)),
    );
    const after = await held();
    expect(after.overflows).toBeGreaterThanOrEqual(1);
    // Whatever was offered to it (megabytes of books), the stuck client held at most its cap in its window
    // and one push in its socket.
    expect(peaks.window).toBeGreaterThan(0);
    expect(peaks.window).toBeLessThanOrEqual(CAP);
    expect(peaks.socket).toBeLessThanOrEqual(2 * CAP);

    // Reading again, it is told where its copy of the trades stops; a resume from there gets what the stream
    // still keeps (its last PUSH_EVENTS_KEPT_PER_TOPIC), with the hole before it said out loud.
    engine.transport.ws._socket.resume();
    const topic = 'trades/bitfinex/AVAX/USDT';
    await expectEventually(() =>
      expect(slow.pushes.flatMap((p) => p.discontinuities)).toContainEqual(
        expect.objectContaining({ topic, reason: 'overflow' }),
      ),
    );
    const cut = slow.pushes.flatMap((p) => p.discontinuities).find((d) => d.reason === 'overflow');
    const lastSeq = cut?.lastSeq ?? 0;
    expect(events(slow.pushes).filter((seq) => seq <= lastSeq)).toEqual(
      Array.from({ length: lastSeq }, (_, i) => i + 1),
    );
    const back = await connect(capped.url, accessToken);
    await ask(back.socket, 'watch', {
      patterns: [topic],
      resume: { epoch: slowAck['epoch'], lastSeq: { [topic]: lastSeq } },
    });
    const kept = Math.min(PUSH_EVENTS_KEPT_PER_TOPIC, sent - lastSeq);
    await expectEventually(() =>
      expect(events(back.pushes)).toEqual(Array.from({ length: kept }, (_, i) => sent - kept + i + 1)),
    );
    expect(back.pushes.flatMap((p) => p.discontinuities)).toEqual(
      sent - lastSeq > kept ? [{ topic, lastSeq, reason: 'gap' }] : [],
    );
  }, 90_000);

  it('refuses a watch the role may not make', async () => {
    // A viewer reads market data and system events, not orders or logs.
    const db = new pg.Client({ connectionString: (bed as GatewayTestBed).database.url });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO ws_gateway.users (username, password_hash, role) VALUES ($1, $2, 'viewer')`,
        ['viewer', await bcrypt.hash('viewer-password-1234', 10)],
      );
    } finally {
      await db.end();
    }
    const response = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'viewer', password: 'viewer-password-1234' }),
    });
    const viewerToken = ((await response.json()) as { accessToken: string }).accessToken;
    const polled = await fetch(`${url}/api/push/poll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewerToken}` },
      body: JSON.stringify({ topics: ['orders/binance/acct-1'] }),
    });
    expect(polled.status).toBe(403);
    const { socket } = await connect(url, viewerToken);
    expect(await ask(socket, 'watch', { patterns: ['ticker/*/BTC/USDT', 'orders/*/*'] })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'role viewer may not watch orders/*/*' },
    });
    expect(await ask(socket, 'watch', { patterns: ['ticker/*/BTC/USDT'] })).toMatchObject({ ok: true });
  });

  it('serves a client without its socket by polling: latest state, events after its resume point, kept between polls', async () => {
    const poll = async (body: unknown, bearer = token) => {
      const response = await fetch(`${url}/api/push/poll`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Push & { details?: string[] } };
    };
    const topic = 'trades/bitstamp/LTC/USDT';
    expect((await poll({ topics: [topic] }, '')).status).toBe(401);
    expect((await poll({ topics: [topic] }, 'not-a-jwt')).status).toBe(401);
    expect((await poll({ topics: ['trades/bitstamp'] })).body.details).toEqual([
      expect.stringMatching(/^topics\.0: /),
    ]);
    // The first poll opens the topic; what is published before the next one is kept for it.
    const first = await poll({ topics: [topic, 'ticker/*/LTC/USDT'] });
    expect(first).toMatchObject({ status: 200, body: { events: [], states: [], discontinuities: [] } });
    const ltc = instrumentSlot('LTC/USDT');
    for (let i = 1; i <= 3; i++) trades.publish(trade('LTC/USDT', 'bitstamp', i));
    link.connection.publish(
      subjects.mdAgg(ltc),
      encodePayload(aggregate('LTC/USDT', 80, Date.now() * 1_000)),
    );
    const resume = (lastSeq: number) => ({ epoch: first.body.epoch, lastSeq: { [topic]: lastSeq } });
    await expectEventually(async () => {
      const second = await poll({ topics: [topic, 'ticker/*/LTC/USDT'], resume: resume(0) });
      expect(second.body.events.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(second.body.states).toMatchObject([
        { topic: 'ticker/*/LTC/USDT', value: { bestBid: { price: 80 } } },
      ]);
    });
    expect((await poll({ topics: [topic], resume: resume(3) })).body.events).toEqual([]);
    expect(
      (await poll({ topics: [topic], resume: { epoch: 'another-stream', lastSeq: { [topic]: 7 } } })).body,
    ).toMatchObject({
      discontinuities: [{ topic, lastSeq: 7, reason: 'gap' }],
      events: [{ seq: 1 }, { seq: 2 }, { seq: 3 }],
    });
  });

  it('serves the same over HTTPS and secure websockets when given a certificate and key', async () => {
    const certificate = TestCertificate.create('127.0.0.1');
    onTestFinished(() => certificate.dispose());
    const { certFile, keyFile } = certificate;
    const ca = certificate.cert;
    // Plain requests trusting only this certificate.
    const request = (target: string, method: string, body?: unknown) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = https.request(
          target,
          { method, ca, headers: { 'content-type': 'application/json' } },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    const secure = await (bed as GatewayTestBed).gateway(
      { TM_INSTANCE_ID: 'gw-e2e-tls', TM_TLS_CERT: certFile, TM_TLS_KEY: keyFile },
      async (at) => (await request(`${at}/ready`, 'GET')).status,
    );
    expect(secure.url.startsWith('https://')).toBe(true);
    const loggedIn = await request(`${secure.url}/api/auth/login`, 'POST', {
      username: 'admin',
      password: ADMIN_PASSWORD,
    });
    expect(loggedIn.status).toBe(200);
    const socket = io(secure.url, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      ca,
      auth: { token: (JSON.parse(loggedIn.text) as { accessToken: string }).accessToken },
    });
    sockets.push(socket);
    const pushes: Push[] = [];
    socket.on('push', (push: Push) => pushes.push(push));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    expect(await ask(socket, 'watch', { patterns: ['trades/gemini/DOT/USDT'] })).toMatchObject({ ok: true });
    trades.publish(trade('DOT/USDT', 'gemini', 1));
    await expectEventually(() => expect(pushes.flatMap((p) => p.events).map((e) => e.seq)).toEqual([1]));
    // A gateway of its own and a bcrypt login: on a loaded machine that outlasts the default 30 s.
  }, 90_000);
});
