import { describe, expect, it } from 'vitest';
import { AggregateV1, ArbitrageWindowV1, CandleV1 } from '@tm/contracts';
import { book, INSTRUMENT, seededRandom, tick, trade } from '../aggregation.spec-helper.js';
import { parseRecordingLine, recordedMessageLine, recordedTickLine } from './market-data-recording.js';
import { RecordingReplay, replayRecording } from './replay-recording.js';

const SECOND = 1_000_000;

function message(kind: 'tick' | 'trade' | 'book', payload: unknown, slot = 42, root = 'tm'): string {
  return JSON.stringify({ subject: `${root}.md.${kind}.${slot}`, payload });
}

type Output = { type: string } & Record<string, unknown>;

function replay(lines: string[], settings = {}): Output[] {
  return [...replayRecording(lines, { settings })].map((line) => JSON.parse(line) as Output);
}

const ofType = (outputs: Output[], type: string) => outputs.filter((o) => o.type === type);

describe('replayRecording', () => {
  it('reports an arbitrage window between two crossing sources when it closes', () => {
    const outputs = replay([
      message('tick', tick('a', 101, 102, 50_000)),
      message('tick', tick('b', 99, 100, 50_000)),
      recordedTickLine(100_000),
      message('tick', tick('a', 101.5, 102, 150_000)),
      recordedTickLine(200_000),
      message('tick', tick('a', 99.5, 102, 250_000)),
      recordedTickLine(300_000),
    ]);
    const windows = ofType(outputs, 'arbitrage');
    expect(windows).toHaveLength(1);
    const { type: _type, ...window } = windows[0] as Output;
    expect(ArbitrageWindowV1.parse(window)).toMatchObject({
      instrument: INSTRUMENT,
      buySource: 'b',
      sellSource: 'a',
      openedAt: 100_000,
      closedAt: 300_000,
      bestEdgeAt: 200_000,
    });
    // The window is reported by the tick that saw it gone, after that tick's snapshot.
    expect(outputs.map((o) => o.type)).toEqual(['snapshot', 'snapshot', 'snapshot', 'arbitrage', 'summary']);
  });

  it('reports each closed candle, on the intervals of the settings', () => {
    const outputs = replay(
      [
        message('trade', trade('a', 100, 1, 100_000)),
        message('trade', trade('a', 103, 2, 400_000)),
        message('trade', trade('b', 99, 1, 900_000)),
        recordedTickLine(SECOND),
      ],
      { candleIntervalsMicros: [SECOND, 60 * SECOND] },
    );
    const candles = ofType(outputs, 'candle').map(({ type: _type, ...c }) => CandleV1.parse(c));
    expect(candles).toEqual([
      {
        v: 1,
        instrument: INSTRUMENT,
        intervalMicros: SECOND,
        start: 0,
        open: 100,
        high: 103,
        low: 99,
        close: 99,
        volume: 4,
        trades: 3,
      },
    ]);
  });

  it('ticks exactly on the tick lines of a recording that has them', () => {
    const outputs = replay([
      message('tick', tick('a', 100, 101, 10_000)),
      message('tick', tick('a', 100, 102, 130_000)),
      recordedTickLine(150_000),
      message('tick', tick('a', 100, 103, 260_000)),
      recordedTickLine(420_000),
    ]);
    expect(ofType(outputs, 'snapshot').map((s) => s.tsInit)).toEqual([150_000, 420_000]);
    expect(ofType(outputs, 'summary')[0]).toMatchObject({ ticks: 2, messages: 3, tickSource: 'recording' });
  });

  it('derives ticks at the interval boundaries the messages cross, and one after the end', () => {
    const outputs = replay([
      message('tick', tick('a', 100, 101, 10_000)),
      message('tick', tick('a', 100, 102, 130_000)),
      message('tick', tick('a', 100, 103, 260_000)),
      message('tick', tick('a', 100, 104, 300_000)),
    ]);
    const snapshots = ofType(outputs, 'snapshot') as unknown as AggregateV1[];
    // Ticks at 100 ms (before the 130 ms input), 200 ms, then 300 ms before the input stamped exactly 300 ms.
    expect(snapshots.map((s) => [s.tsInit, s.sources[0]?.ask])).toEqual([
      [100_000, 101],
      [200_000, 102],
      [300_000, 103],
      [400_000, 104],
    ]);
    expect(ofType(outputs, 'summary')[0]).toMatchObject({ ticks: 4, messages: 4, tickSource: 'messages' });
  });

  it('derives the ticks of a quiet stretch one interval apart, from any subject root', () => {
    const outputs = replay(
      [message('tick', tick('a', 100, 101, 0), 7, 'prod'), message('tick', tick('a', 100, 102, 950_000))],
      { tickIntervalMicros: 250_000 },
    );
    expect(ofType(outputs, 'summary')[0]).toMatchObject({ ticks: 4, messages: 2 });
    expect(ofType(outputs, 'snapshot').map((s) => s.tsInit)).toEqual([250_000, 1_000_000]);
  });

  it('covers a gap too long to tick through (a stray tsInit) with one tick at its last boundary', () => {
    const hours = 2 * 3_600 * SECOND;
    const outputs = replay([
      message('tick', tick('a', 100, 101, 0)),
      message('tick', tick('a', 100, 102, hours + 50_000)),
    ]);
    expect(ofType(outputs, 'summary')[0]).toMatchObject({ ticks: 3, messages: 2, rejected: 0 });
    expect(ofType(outputs, 'snapshot').map((s) => s.tsInit)).toEqual([100_000, hours, hours + 100_000]);
  });

  it('reports refused lines with their line and field, and goes on replaying', () => {
    const lines = [
      message('book', book('a', true, [[99, 1]], [[101, 1]], 10_000)),
      'not json',
      '',
      message('tick', { ...tick('a', 100, 101, 20_000), bid: 'x' }),
      JSON.stringify({ subject: 'tm.md.agg.42', payload: {} }),
      message('book', book('b', false, [[98, 1]], [], 30_000)),
      message('tick', tick('b', 102, 101, 40_000)),
      recordedMessageLine('tm.md.trade.42', Buffer.from('{"v":1,')),
      JSON.stringify({ tick: -5 }),
      message('tick', tick('b', 99, 100, 50_000)),
      recordedTickLine(100_000),
    ];
    const outputs = replay(lines);
    expect(ofType(outputs, 'rejected')).toEqual([
      { type: 'rejected', line: 2, reason: expect.stringMatching(/^not JSON: /), field: '(line)' },
      { type: 'rejected', line: 4, reason: expect.stringMatching(/^invalid payload: bid: /), field: 'bid' },
      {
        type: 'rejected',
        line: 5,
        reason: expect.stringContaining('unknown market-data kind "agg"'),
        field: 'subject',
      },
      { type: 'rejected', line: 6, reason: 'book_awaiting_snapshot', field: 'snapshot' },
      { type: 'rejected', line: 7, reason: 'crossed_book', field: 'bid' },
      {
        type: 'rejected',
        line: 8,
        reason: expect.stringMatching(/^payload is not JSON: /),
        field: 'payload',
      },
      { type: 'rejected', line: 9, reason: expect.stringContaining('whole microseconds'), field: 'tick' },
    ]);
    const [snapshot] = ofType(outputs, 'snapshot') as unknown as AggregateV1[];
    expect(snapshot?.sources.map((s) => [s.source, s.bid, s.ask])).toEqual([
      ['a', 99, 101],
      ['b', 99, 100],
    ]);
    expect(outputs.at(-1)).toEqual({
      type: 'summary',
      lines: 11,
      messages: 4,
      ticks: 1,
      rejected: 7,
      tickSource: 'recording',
      rejections: { b: { book_awaiting_snapshot: 1, crossed_book: 1 } },
    });
  });

  it('gives byte-identical output for the same recording, fed whole or line by line', () => {
    const lines = seededRecording(11, 5_000);
    const first = [...replayRecording(lines, { settings: { feesBps: { binance: 1 } } })];
    const second = [...replayRecording(lines, { settings: { feesBps: { binance: 1 } } })];
    const streamed = new RecordingReplay({ settings: { feesBps: { binance: 1 } } });
    const third = [...lines.flatMap((line) => streamed.feed(line)), ...streamed.finish()];
    expect(second.join('\n')).toBe(first.join('\n'));
    expect(third.join('\n')).toBe(first.join('\n'));
    expect([...replayRecording(seededRecording(12, 5_000))].join('\n')).not.toBe(first.join('\n'));

    const outputs = first.map((line) => JSON.parse(line) as Output);
    for (const type of ['snapshot', 'candle', 'arbitrage', 'rejected']) {
      expect(ofType(outputs, type).length, type).toBeGreaterThan(0);
    }
    for (const { type: _type, ...snapshot } of ofType(outputs, 'snapshot')) AggregateV1.parse(snapshot);
  });
});

describe('the recording format', () => {
  it('keeps a message as published, and its payload as text when it was not JSON', () => {
    const payload = tick('a', 100, 101, 5);
    const line = recordedMessageLine('tm.md.tick.9', Buffer.from(JSON.stringify(payload, null, 2)));
    expect(line).not.toContain('\n');
    expect(parseRecordingLine(line, 3)).toEqual({
      ok: true,
      line: 3,
      entry: { kind: 'tick', subject: 'tm.md.tick.9', payload },
    });
    expect(JSON.parse(recordedMessageLine('tm.md.tick.9', Buffer.from('{"v":')))).toEqual({
      subject: 'tm.md.tick.9',
      unparsedPayload: '{"v":',
    });
    expect(JSON.parse(recordedMessageLine('tm.md.tick.9', Buffer.from([0x68, 0xff])))).toEqual({
      subject: 'tm.md.tick.9',
      unparsedPayloadBase64: 'aP8=',
    });
    expect(parseRecordingLine('{"tick":1,"subject":"tm.md.tick.1"}', 1)).toMatchObject({
      ok: false,
      field: '(line)',
    });
    expect(parseRecordingLine('{"subject":"tm.md.tick.x","payload":{}}', 1)).toMatchObject({
      field: 'subject',
    });
    expect(parseRecordingLine('{"subject":"tm.md.book.1"}', 1)).toMatchObject({ field: 'payload' });
  });

  it('accepts and refuses payloads as the live ingest does, for the same reasons', () => {
    const outputs = replay([
      message('tick', { ...tick('a', 100, 101, 5), bid: -1 }),
      recordedMessageLine('tm.md.tick.9', Buffer.from([0x68, 0xff])),
      recordedTickLine(10),
    ]);
    expect(ofType(outputs, 'rejected')).toEqual([
      { type: 'rejected', line: 1, reason: 'negative_value', field: 'bid' },
      { type: 'rejected', line: 2, reason: 'payload is not valid UTF-8', field: 'payload' },
    ]);
  });
});

/** A seeded live-like stream: three instruments, three sources quoting around a drifting mid, some bad lines. */
function seededRecording(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  const instruments = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
  const sources = ['binance', 'fix:lp1', 'okx'];
  const mids = [60_000, 3_000, 150];
  const lines: string[] = [];
  let clock = 1_000 * SECOND;
  for (let n = 0; n < count; n++) {
    clock += Math.floor(random() * 3_000);
    const i = Math.floor(random() * instruments.length);
    const instrument = instruments[i] as string;
    const source = sources[Math.floor(random() * sources.length)] as string;
    mids[i] = (mids[i] as number) * (1 + (random() - 0.5) * 0.001);
    const mid = (mids[i] as number) * (1 + (random() - 0.5) * 0.003);
    const spread = mid * 0.0004;
    const kind = random();
    if (kind < 0.01) lines.push('{"subject":');
    else if (kind < 0.6) {
      const bid = kind < 0.03 ? -mid : mid - spread;
      lines.push(message('tick', tick(source, bid, mid + spread, clock, { instrument })));
    } else if (kind < 0.85) {
      lines.push(message('trade', trade(source, mid, random(), clock, { instrument, tradeId: `t${n}` })));
    } else {
      const side = (sign: number) =>
        Array.from({ length: 4 }, (_, k) => [mid + sign * spread * (k + 1), 1 + k] as [number, number]);
      lines.push(message('book', book(source, random() < 0.3, side(-1), side(1), clock, { instrument })));
    }
    if (n % 40 === 0) lines.push(recordedTickLine(clock + 1));
  }
  return lines;
}
