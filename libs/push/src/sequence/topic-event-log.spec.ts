import { describe, expect, it } from 'vitest';
import { TopicEventLog, type LoggedEvent } from './topic-event-log.js';

const event = (seq: number): LoggedEvent => ({ seq, value: { id: seq }, bytes: 10 });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => event(from + i));
const seqs = (events: readonly LoggedEvent[] | undefined) => (events ?? []).map((e) => e.seq);

describe('TopicEventLog', () => {
  it('holds live events until the backfill is read, then hands on each once and in order', () => {
    const log = new TopicEventLog(100);
    expect(log.offer(event(11))).toBeUndefined();
    expect(log.offer(event(12))).toBeUndefined();
    expect(log.ready).toBe(false);
    // The backfill overlaps the live events: 11 and 12 come once.
    expect(seqs(log.fill(range(5, 11))?.events)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(log.lastSeq).toBe(12);
    expect(log.offer(event(12))).toBeUndefined();
    expect(seqs(log.offer(event(13))?.events)).toEqual([13]);
  });

  it('starts a topic the stream did not hold with its first live event', () => {
    const log = new TopicEventLog(100);
    log.offer(event(40));
    expect(seqs(log.fill([])?.events)).toEqual([40]);
    expect(log.replay(undefined, 50).events.map((e) => e.seq)).toEqual([40]);
  });

  it('waits for a missing event, and a re-read either fills the hole or says where it is', () => {
    const log = new TopicEventLog(100);
    log.fill(range(1, 3));
    expect(seqs(log.offer(event(5))?.events)).toEqual([]);
    expect(log.hasHole).toBe(true);
    expect(seqs(log.offer(event(4))?.events)).toEqual([4, 5]);
    expect(log.hasHole).toBe(false);

    log.offer(event(9));
    // The stream no longer keeps 6..7: go on from 8, saying the hole follows 5.
    const advance = log.fill(range(8, 9));
    expect(advance?.gapAfter).toBe(5);
    expect(seqs(advance?.events)).toEqual([8, 9]);
  });

  it('replays what follows a resume point, and names a gap when it is no longer kept', () => {
    const log = new TopicEventLog(10);
    log.fill(range(1, 25));
    expect(seqs(log.replay(undefined, 4).events)).toEqual([22, 23, 24, 25]);
    expect(seqs(log.replay(20, 50).events)).toEqual([21, 22, 23, 24, 25]);
    expect(log.replay(25, 50)).toEqual({ events: [] });
    const behind = log.replay(3, 50);
    expect(behind.gap).toEqual({ lastSeq: 3, continueAfter: 15 });
    expect(seqs(behind.events)).toEqual(range(16, 25).map((e) => e.seq));
    // A point beyond anything numbered (another stream incarnation): a gap, then what comes next.
    expect(log.replay(99, 50)).toEqual({ events: [], gap: { lastSeq: 99, continueAfter: 25 } });
  });
});
