// `tm record <recording|-> --seconds N`: the live market data of TM_SUBJECT_ROOT into a recording `tm replay` reads.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { recordedMessageLine, recordedTickLine } from '@tm/aggregation';
import { ConfigError, env, loadConfig, PRODUCT_DEFAULTS } from '@tm/config';
import { createSubjects, nowMicros } from '@tm/contracts';
import { tmConfigSpec } from '../config/tm.config.js';
import { connectCliLink } from '../fleet-client.js';
import { TmCliError } from '../tm-cli.error.js';

export const RECORD_USAGE = `usage: tm record <recording|-> --seconds N [--tick-ms 100]
  writes every tick/trade/book message of TM_SUBJECT_ROOT, and a tick line every --tick-ms by the wall clock`;

const TICK_FLAG = env.durationMs('--tick-ms', { default: PRODUCT_DEFAULTS.aggregationTickMs, min: 1 });

/**
 * Records for `--seconds` (or until SIGINT/SIGTERM), then drains and writes a last tick line, so every message
 * recorded is followed by a tick and the replay computes it. A payload that is not JSON is kept (`unparsedPayload`,
 * or `unparsedPayloadBase64` when not UTF-8) and the replay refuses it as the live aggregator would dead-letter it.
 */
export async function runRecordCommand(
  args: string[],
  source?: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const { recording, seconds, tickMs } = parseRecordArgs(args);
  const config = loadConfig(tmConfigSpec, source);
  const subjects = createSubjects(config.subjectRoot);
  // Connected first, so an unreachable NATS leaves an earlier recording of the same name untouched.
  const link = await connectCliLink(config, 'tm-cli/record');
  const out = recording === '-' ? process.stdout : createWriteStream(recording, { flags: 'w' });
  if (out !== process.stdout) {
    await once(out, 'open').catch(async (error: Error) => {
      await link.close();
      throw new TmCliError('USAGE', `cannot write recording ${recording}: ${error.message}`);
    });
  }
  let messages = 0;
  let ticks = 0;
  const writeTick = () => {
    out.write(`${recordedTickLine(nowMicros())}\n`);
    ticks++;
  };
  for (const subject of [subjects.all.mdTick(), subjects.all.mdTrade(), subjects.all.mdBook()]) {
    link.connection.subscribe(subject, {
      callback: (error, msg) => {
        if (error !== null) return;
        out.write(`${recordedMessageLine(msg.subject, msg.data)}\n`);
        messages++;
      },
    });
  }
  // Recording starts once the server has the subscriptions, not when the SUBs left the socket.
  await link.connection.flush();
  console.error(`tm: recording ${config.subjectRoot}.md.{tick,trade,book}.* to ${recording} for ${seconds}s`);

  // On wall-clock boundaries, as the aggregator service schedules its ticks, so the replay ticks where it did.
  let ticker: NodeJS.Timeout | undefined;
  const scheduleTick = () => {
    ticker = setTimeout(
      () => {
        writeTick();
        scheduleTick();
      },
      tickMs - (Date.now() % tickMs),
    );
  };
  scheduleTick();
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const deadline = setTimeout(stop, seconds * 1_000);
  process.once('SIGINT', stop).once('SIGTERM', stop);
  await stopped;
  clearTimeout(deadline);
  clearTimeout(ticker);
  process.off('SIGINT', stop).off('SIGTERM', stop);
  await link.close();
  writeTick();
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  console.error(`tm: recorded ${messages} messages and ${ticks} ticks to ${recording}`);
  return 0;
}

function parseRecordArgs(args: string[]): { recording: string; seconds: number; tickMs: number } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { seconds: { type: 'string' }, 'tick-ms': { type: 'string' } },
    });
  } catch (error) {
    throw new TmCliError('USAGE', `${(error as Error).message}\n${RECORD_USAGE}`);
  }
  const { values, positionals } = parsed;
  const seconds = Number(values.seconds);
  if (
    positionals.length !== 1 ||
    values.seconds === undefined ||
    !(seconds > 0 && Number.isFinite(seconds))
  ) {
    throw new TmCliError('USAGE', RECORD_USAGE);
  }
  try {
    return { recording: positionals[0] as string, seconds, tickMs: TICK_FLAG.parse(values['tick-ms']) };
  } catch (error) {
    if (error instanceof ConfigError) throw new TmCliError('USAGE', error.problems.join('\n'));
    throw error;
  }
}
