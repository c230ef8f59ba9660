// Feeds a recording through a MarketAggregator offline and renders what it produced as JSON lines. Nothing here
// reads a clock or depends on unsorted iteration, so the same recording always gives byte-identical output.
import type { AggregationSettings } from '../aggregation.settings.js';
import { MarketAggregator, type IngestResult } from '../market-aggregator.js';
import { MarketDataDecoder } from '@tm/contracts';
import {
  parseRecordingLine,
  type ParsedRecordingLine,
  type RecordedMarketData,
} from './market-data-recording.js';

// The recording format travels with the replay: `tm record` and `tm replay` take both from one import.
export {
  parseRecordingLine,
  recordedMessageLine,
  recordedTickLine,
  type ParsedRecordingLine,
  type RecordingEntry,
  type RecordingLineError,
} from './market-data-recording.js';

export interface ReplayOptions {
  settings?: Partial<AggregationSettings>;
}

/** `recording`: the recording's own tick lines; `messages`: derived from the messages' tsInit. */
export type ReplayTickSource = 'recording' | 'messages';

// A stray tsInit far ahead (nanoseconds for micros, say) must not spin through billions of empty ticks: past this
// many boundaries in one gap, the quiet stretch is covered by a single tick at its last boundary.
const MAX_TICKS_PER_GAP = 36_000;

/**
 * A replay fed one line at a time, for callers that read asynchronously (stdin). Each call returns the output lines
 * that are final; until the first tick line (or the end) shows where ticks come from, input is held, not replayed.
 */
export class RecordingReplay {
  private readonly aggregator: MarketAggregator;
  private readonly decoder = new MarketDataDecoder();
  private readonly tickIntervalMicros: number;
  private tickSource: ReplayTickSource | undefined;
  private held: ParsedRecordingLine[] = [];
  private nextBoundary: number | null = null;
  private readonly counts = { lines: 0, messages: 0, ticks: 0, rejected: 0 };

  /** Throws AggregationError on invalid settings, before any line is read. */
  constructor(options: ReplayOptions = {}) {
    this.aggregator = new MarketAggregator(options.settings);
    this.tickIntervalMicros = this.aggregator.settings.tickIntervalMicros;
  }

  feed(text: string): string[] {
    const line = ++this.counts.lines;
    if (text.trim() === '') return [];
    const parsed = parseRecordingLine(text, line, this.decoder);
    const out: string[] = [];
    if (this.tickSource === undefined) {
      if (!parsed.ok || parsed.entry.kind !== 'aggregation-tick') {
        this.held.push(parsed);
        return out;
      }
      this.release('recording', out);
    }
    this.replay(parsed, out);
    return out;
  }

  /** The last output lines: a final derived tick, then the summary. */
  finish(): string[] {
    const out: string[] = [];
    if (this.tickSource === undefined) this.release('messages', out);
    if (this.tickSource === 'messages' && this.nextBoundary !== null) this.runTick(this.nextBoundary, out);
    out.push(
      JSON.stringify({
        type: 'summary',
        ...this.counts,
        tickSource: this.tickSource,
        rejections: this.aggregator.rejections(),
      }),
    );
    return out;
  }

  private release(tickSource: ReplayTickSource, out: string[]): void {
    this.tickSource = tickSource;
    for (const parsed of this.held) this.replay(parsed, out);
    this.held = [];
  }

  private replay(parsed: ParsedRecordingLine, out: string[]): void {
    if (!parsed.ok) {
      this.reject(parsed.line, parsed.reason, parsed.field, out);
      return;
    }
    const entry = parsed.entry;
    if (entry.kind === 'aggregation-tick') {
      // A recording with tick lines is replayed on exactly those, as the live service ticked.
      if (this.tickSource === 'recording') this.runTick(entry.atMicros, out);
      return;
    }
    if (this.tickSource === 'messages') this.tickUntil(entry.payload.tsInit, out);
    this.counts.messages++;
    const result = ingest(this.aggregator, entry);
    if (!result.ok) this.reject(parsed.line, result.reason, result.field, out);
  }

  /** Runs tick() at every boundary at or before `tsInit` not yet run: the input it follows belongs after them. */
  private tickUntil(tsInit: number, out: string[]): void {
    const interval = this.tickIntervalMicros;
    if (this.nextBoundary === null) this.nextBoundary = (Math.floor(tsInit / interval) + 1) * interval;
    const lastBoundary = Math.floor(tsInit / interval) * interval;
    if ((lastBoundary - this.nextBoundary) / interval >= MAX_TICKS_PER_GAP) {
      this.runTick(this.nextBoundary, out);
      this.nextBoundary = lastBoundary;
    }
    while (this.nextBoundary <= tsInit) {
      this.runTick(this.nextBoundary, out);
      this.nextBoundary += interval;
    }
  }

  private runTick(atMicros: number, out: string[]): void {
    this.counts.ticks++;
    const result = this.aggregator.tick(atMicros);
    for (const snapshot of result.snapshots) out.push(JSON.stringify({ type: 'snapshot', ...snapshot }));
    for (const candle of result.closedCandles) out.push(JSON.stringify({ type: 'candle', ...candle }));
    for (const window of result.arbitrageWindows) out.push(JSON.stringify({ type: 'arbitrage', ...window }));
  }

  private reject(line: number, reason: string, field: string, out: string[]): void {
    this.counts.rejected++;
    out.push(JSON.stringify({ type: 'rejected', line, reason, field }));
  }
}

/**
 * Replays a recording (JSON lines, see market-data-recording.ts) and yields the output lines in a fixed order:
 * per tick its snapshots, closed candles and arbitrage windows; a refused line as `rejected` where it was read;
 * a `summary` last. Bad input is reported, never thrown.
 */
export function replayRecording(lines: Iterable<string>, options: ReplayOptions = {}): Generator<string> {
  const replay = new RecordingReplay(options);
  return (function* () {
    for (const line of lines) yield* replay.feed(line);
    yield* replay.finish();
  })();
}

function ingest(aggregator: MarketAggregator, message: RecordedMarketData): IngestResult {
  switch (message.kind) {
    case 'tick':
      return aggregator.ingestTick(message.payload);
    case 'trade':
      return aggregator.ingestTrade(message.payload);
    case 'book':
      return aggregator.ingestBook(message.payload);
  }
}
