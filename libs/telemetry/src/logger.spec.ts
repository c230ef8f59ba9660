import { describe, expect, it } from 'vitest';
import { createLogger, type LogLine } from './logger.js';

function collector() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('createLogger', () => {
  it('writes JSON lines with service, instance, the level name and an ISO time', () => {
    const { lines, destination } = collector();
    const logger = createLogger({ service: 'fix-server', instance: 'f-1', level: 'info', destination });
    logger.info({ session: 'LP1' }, 'session up');
    logger.debug('not at this level');

    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(line).toMatchObject({
      service: 'fix-server',
      instance: 'f-1',
      level: 'info',
      msg: 'session up',
      session: 'LP1',
    });
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
  });

  it('hands each written line to onLine, child loggers included, and only lines at the level', () => {
    const { lines, destination } = collector();
    const seen: LogLine[] = [];
    const logger = createLogger({
      service: 'fix-server',
      instance: 'f-1',
      level: 'info',
      destination,
      onLine: (l) => seen.push(l),
    });
    logger.warn('slow %s', 'venue');
    logger.child({ feature: 'lp' }).error({ code: 7 }, 'rejected');
    logger.debug('filtered');

    expect(lines).toHaveLength(2);
    expect(seen.map(({ level, msg }) => ({ level, msg }))).toEqual([
      { level: 'warn', msg: 'slow venue' },
      { level: 'error', msg: 'rejected' },
    ]);
    expect(seen.every((l) => Math.abs(l.time - Date.now()) < 60_000)).toBe(true);
  });

  it('never lets onLine break logging, and does not forward lines onLine logs itself', () => {
    const { lines, destination } = collector();
    let calls = 0;
    const logger = createLogger({
      service: 'fix-server',
      instance: 'f-1',
      level: 'info',
      destination,
      onLine: () => {
        calls += 1;
        logger.error('forwarding failed');
        throw new Error('forwarder down');
      },
    });
    expect(() => logger.info('first')).not.toThrow();
    logger.info('second');

    expect(calls).toBe(2);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'first',
      'forwarding failed',
      'second',
      'forwarding failed',
    ]);
  });

  it('passes logger.flush() through to the destination when lines are forwarded', () => {
    const { destination } = collector();
    let flushed = 0;
    const flushable = { ...destination, flush: (cb: () => void) => ((flushed += 1), cb()) };
    const logger = createLogger({
      service: 'fix-server',
      instance: 'f-1',
      level: 'info',
      destination: flushable,
      onLine: () => {},
    });
    let done = false;
    logger.flush(() => (done = true));
    expect([flushed, done]).toEqual([1, true]);
  });
});
