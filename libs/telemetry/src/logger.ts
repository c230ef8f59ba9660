// The process logger: structured JSON lines on stdout, with a hook the host uses to forward them (tm.sys.log).
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** What the host sees of each written line, already filtered by the logger's level. */
export interface LogLine {
  level: string;
  msg: string;
  /** Epoch milliseconds. */
  time: number;
}

export interface LoggerOptions {
  service: string;
  instance: string;
  level: string;
  /** Where lines go; stdout when absent. */
  destination?: DestinationStream;
  onLine?: (line: LogLine) => void;
}

export function createLogger(opts: LoggerOptions): Logger {
  const destination = opts.destination ?? pino.destination(1);
  return pino(
    {
      level: opts.level,
      base: { service: opts.service, instance: opts.instance },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.onLine ? forwardingTee(destination, opts.onLine) : destination,
  );
}

/**
 * Writes each line to the destination, then hands it to onLine using the metadata pino sets on a stream
 * that asks for it (level, message) instead of parsing the JSON back. onLine can never break logging: its
 * errors are swallowed, and a line it logs itself is not forwarded again (a forwarder that logs its own
 * failure would otherwise recurse forever).
 */
function forwardingTee(destination: DestinationStream, onLine: (line: LogLine) => void): DestinationStream {
  let forwarding = false;
  const tee = {
    [Symbol.for('pino.metadata')]: true,
    lastLevel: 0,
    lastMsg: undefined as string | undefined,
    lastLogger: undefined as PinoLogger | undefined,
    write(line: string): void {
      destination.write(line);
      if (forwarding) return;
      forwarding = true;
      try {
        const level = tee.lastLogger?.levels.labels[tee.lastLevel] ?? String(tee.lastLevel);
        onLine({ level, msg: tee.lastMsg ?? '', time: Date.now() });
      } catch {
        // Deliberately dropped: the line itself is already written.
      } finally {
        forwarding = false;
      }
    },
    // logger.flush() must still reach the real destination (sonic-boom on stdout).
    flush(callback: (error?: Error) => void): void {
      const target = destination as DestinationStream & { flush?: (cb: (error?: Error) => void) => void };
      if (typeof target.flush === 'function') target.flush(callback);
      else callback();
    },
  };
  return tee;
}
