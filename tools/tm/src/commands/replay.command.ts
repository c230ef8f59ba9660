// `tm replay <recording|->`: a recording through the aggregation offline, its output lines on stdout.
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  AggregationError,
  DEFAULT_AGGREGATION_SETTINGS,
  RecordingReplay,
  type AggregationSettings,
} from '@tm/aggregation';
import { ConfigError, env, loadConfig, PRODUCT_DEFAULTS } from '@tm/config';
import { z } from 'zod';
import { TmCliError } from '../tm-cli.error.js';

export const REPLAY_USAGE = `usage: tm replay <recording|-> [--tick-ms 100] [--candles 1s,1m,1h] [--fees '{"binance":7.5}'] [--default-fee-bps 0]
  --tick-ms only shapes a recording without tick lines (ticks derived from the messages' tsInit)`;

const MICROS_PER_MS = 1_000;
const FeeBps = z.number().min(0).max(10_000);

// The flags read like the aggregator's TM_AGG_* variables, through the same field builders and limits.
const REPLAY_FLAGS = {
  tickMs: env.durationMs('--tick-ms', { default: PRODUCT_DEFAULTS.aggregationTickMs, min: 1 }),
  candleIntervalsMs: env.durationListMs('--candles', {
    default: DEFAULT_AGGREGATION_SETTINGS.candleIntervalsMicros.map((micros) => micros / MICROS_PER_MS),
    min: 1,
  }),
  feesBps: env.json('--fees', z.record(z.string().min(1), FeeBps), {
    default: { ...DEFAULT_AGGREGATION_SETTINGS.feesBps },
    expected: 'a JSON object of source → taker fee in basis points, like {"binance":7.5}',
  }),
  defaultFeeBps: env.json('--default-fee-bps', FeeBps, {
    default: DEFAULT_AGGREGATION_SETTINGS.defaultFeeBps,
    expected: 'a taker fee in basis points from 0 to 10000, like 7.5',
  }),
};

export interface ReplayIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

/** Replays the recording named in `args` (after `replay`); 0 once the summary is written. */
export async function runReplayCommand(
  args: string[],
  io: ReplayIo = { stdin: process.stdin, stdout: process.stdout },
): Promise<number> {
  const { recording, settings } = parseReplayArgs(args);
  if (recording === undefined) {
    io.stdout.write(`${REPLAY_USAGE}\n`);
    return 0;
  }
  let replay: RecordingReplay;
  try {
    replay = new RecordingReplay({ settings });
  } catch (error) {
    if (error instanceof AggregationError) throw new TmCliError('USAGE', `${error.message}\n${REPLAY_USAGE}`);
    throw error;
  }
  const file = recording === '-' ? undefined : await openRecording(recording);
  const input = file?.createReadStream({ encoding: 'utf8' }) ?? io.stdin;
  // A reader that went away (`tm replay x | head`) ends the replay quietly, not with EPIPE.
  let readerGone = false;
  io.stdout.on('error', () => (readerGone = true));
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (readerGone) break;
      await write(io.stdout, replay.feed(line));
    }
    if (!readerGone) await write(io.stdout, replay.finish(), true);
  } finally {
    await file?.close();
  }
  return 0;
}

function parseReplayArgs(args: string[]): {
  recording: string | undefined;
  settings: Partial<AggregationSettings>;
} {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'tick-ms': { type: 'string' },
        candles: { type: 'string' },
        fees: { type: 'string' },
        'default-fee-bps': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new TmCliError('USAGE', `${(error as Error).message}\n${REPLAY_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { recording: undefined, settings: {} };
  if (positionals.length !== 1) throw new TmCliError('USAGE', REPLAY_USAGE);
  let flags;
  try {
    // Read like the environment, keyed by flag, so every bad flag is named at once.
    flags = loadConfig(REPLAY_FLAGS, {
      '--tick-ms': values['tick-ms'],
      '--candles': values.candles,
      '--fees': values.fees,
      '--default-fee-bps': values['default-fee-bps'],
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new TmCliError('USAGE', error.problems.join('\n'));
    throw error;
  }
  return {
    recording: positionals[0],
    settings: {
      tickIntervalMicros: flags.tickMs * MICROS_PER_MS,
      candleIntervalsMicros: flags.candleIntervalsMs.map((ms) => ms * MICROS_PER_MS),
      feesBps: flags.feesBps,
      defaultFeeBps: flags.defaultFeeBps,
    },
  };
}

async function openRecording(path: string) {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw new TmCliError('USAGE', `cannot read recording ${path}: ${(error as Error).message}`);
  }
}

/** Writes lines, waiting while the reader is behind; `flushed` waits until the last one left the process. */
async function write(out: NodeJS.WritableStream, lines: string[], flushed = false): Promise<void> {
  if (lines.length === 0) return;
  const text = `${lines.join('\n')}\n`;
  if (flushed) {
    await new Promise<void>((resolve) => out.write(text, () => resolve()));
    return;
  }
  if (!out.write(text)) await once(out, 'drain').catch(() => undefined);
}
