// `tm record` then `tm replay`, as built, over a real NATS server: live market data recorded once replays to
// the same bytes every time.
import {
  createSubjects,
  encodePayload,
  nowMicros,
  type BookDeltaV1,
  type TickV1,
  type TradeV1,
} from '@tm/contracts';
import { NatsLink } from '@tm/messaging';
import { slot } from '@tm/sharding';
import { expectEventually, NatsServerProcess, uniqueSubjectRoot } from '@tm/testing';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
const MIDS: Record<string, number> = { 'BTC/USDT': 60_000, 'ETH/USDT': 3_000, 'SOL/USDT': 150 };
const SOURCES = ['binance', 'okx'] as const;

interface TmRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `tm`; `stdinFile` is piped in. `onStderr` sees the diagnostics as they come. */
function runTm(
  args: string[],
  env: Record<string, string> = {},
  stdinFile?: string,
  onStderr: (text: string) => void = () => undefined,
): Promise<TmRun> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: [stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  if (stdinFile && child.stdin) createReadStream(stdinFile).pipe(child.stdin);
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr(stderr);
  });
  return new Promise((resolveRun) =>
    child.once('close', (code) =>
      resolveRun({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr }),
    ),
  );
}

describe('tm record and tm replay', () => {
  let nats: NatsServerProcess;
  let link: NatsLink;
  let dir: string;
  const root = uniqueSubjectRoot();
  const subjects = createSubjects(root);

  beforeAll(async () => {
    nats = await NatsServerProcess.start();
    link = await NatsLink.connect({
      servers: [nats.url],
      name: 'record-replay-it',
      pingIntervalMs: 2_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    dir = await mkdtemp(join(tmpdir(), 'tm-record-'));
  });

  afterAll(async () => {
    await link?.close().catch(() => undefined);
    await nats?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** ~1 s of two sources quoting three instruments, BTC crossing for a while, and two bad messages. */
  async function publishMarket(): Promise<void> {
    const publish = (subject: string, payload: unknown) =>
      link.connection.publish(subject, encodePayload(payload));
    for (let round = 0; round < 24; round++) {
      const ts = nowMicros();
      for (const [instrument, mid] of Object.entries(MIDS)) {
        const s = slot(instrument);
        for (const source of SOURCES) {
          // okx's ask sits under binance's bid for rounds 6..13: buy on okx, sell on binance.
          const lift = instrument === 'BTC/USDT' && source === 'binance' && round >= 6 && round < 14 ? 6 : 0;
          const quote: TickV1 = {
            v: 1,
            instrument,
            source,
            bid: mid - 1 + lift,
            bidSize: 1,
            ask: mid + 1 + lift,
            askSize: 1,
            tsEvent: ts,
            tsInit: ts,
          };
          publish(subjects.mdTick(s), quote);
          if (round % 8 === 0) {
            const snapshot: BookDeltaV1 = {
              v: 1,
              instrument,
              source,
              snapshot: true,
              bids: [[mid - 2, 3]],
              asks: [[mid + 2, 3]],
              sequence: round,
              tsEvent: ts,
              tsInit: ts,
            };
            publish(subjects.mdBook(s), snapshot);
          }
        }
        const print: TradeV1 = {
          v: 1,
          instrument,
          source: 'binance',
          tradeId: `${instrument}-${round}`,
          price: mid + (round % 3),
          amount: 0.5,
          takerSide: round % 2 === 0 ? 'buy' : 'sell',
          tsEvent: ts,
          tsInit: ts,
        };
        publish(subjects.mdTrade(slot(instrument)), print);
      }
      if (round === 3) {
        publish(subjects.mdTick(slot('ETH/USDT')), { v: 1, instrument: 'ETH/USDT', source: 'okx', bid: -1 });
        link.connection.publish(subjects.mdTrade(slot('ETH/USDT')), 'not json {');
      }
      await new Promise((resolveRound) => setTimeout(resolveRound, 40));
    }
    await link.connection.flush();
  }

  it('records live market data, and replays it twice to identical, complete output', async () => {
    const recordingFile = join(dir, 'market.jsonl');
    const env = { TM_NATS_URL: nats.url, TM_SUBJECT_ROOT: root };
    let recordingStarted = false;
    const recorder = runTm(['record', recordingFile, '--seconds', '2'], env, undefined, (stderr) => {
      recordingStarted ||= stderr.includes('tm: recording');
    });
    await expectEventually(() => expect(recordingStarted).toBe(true), 10_000);
    await publishMarket();
    const recorded = await recorder;
    expect(recorded.code, recorded.stderr).toBe(0);
    const recordingLines = (await readFile(recordingFile, 'utf8')).trimEnd().split('\n');
    expect(recordingLines.filter((line) => line.startsWith('{"tick":')).length).toBeGreaterThan(10);
    expect(recordingLines.filter((line) => line.startsWith('{"subject":')).length).toBe(
      24 * 3 * 3 + 3 * 3 * 2 + 2,
    );

    const first = await runTm(['replay', recordingFile]);
    const second = await runTm(['replay', recordingFile]);
    const fromStdin = await runTm(['replay', '-'], {}, recordingFile);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.length).toBeGreaterThan(0);
    expect(second.stdout).toBe(first.stdout);
    expect(fromStdin.stdout).toBe(first.stdout);

    const outputs = first.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const ofType = (type: string) => outputs.filter((o) => o.type === type);
    expect([...new Set(ofType('snapshot').map((s) => s.instrument))].sort()).toEqual(
      Object.keys(MIDS).sort(),
    );
    expect(ofType('rejected')).toEqual([
      expect.objectContaining({ field: 'bid', reason: expect.stringContaining('invalid payload') }),
      expect.objectContaining({ field: 'payload', reason: expect.stringMatching(/^payload is not JSON: /) }),
    ]);
    expect(ofType('arbitrage')).toEqual([
      expect.objectContaining({ instrument: 'BTC/USDT', buySource: 'okx', sellSource: 'binance' }),
    ]);
    expect(ofType('candle').length).toBeGreaterThan(0);
    expect(outputs.at(-1)).toMatchObject({ type: 'summary', tickSource: 'recording', rejected: 2 });
  }, 30_000);

  it('refuses a recording it cannot read, naming it', async () => {
    const run = await runTm(['replay', join(dir, 'missing.jsonl')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot read recording ${join(dir, 'missing.jsonl')}`);
  });
});
