import { describe, expect, it } from 'vitest';
import {
  OrderedBatchWriter,
  type BatchOutcome,
  type BatchRows,
  type BatchSink,
  type CheckpointAdvance,
} from './batch-writer.js';

const OK: BatchOutcome = { rows: 1, duplicates: 0, refused: [], fallbacks: 0 };
const rows = (lastSeq: number): BatchRows => ({ tables: new Map(), dirty: [], lastSeq });
const checkpoint = (family: string, epoch: number): CheckpointAdvance => ({
  family,
  streamCreated: '2026-11-21T00:00:00Z',
  blocks: [0],
  epoch,
});

/** A writer whose writes finish when the test says, recording the order they started and committed in. */
class ControlledWriter implements BatchSink {
  readonly started: number[] = [];
  readonly committed: number[] = [];
  private readonly pending = new Map<number, { resolve(): void; reject(e: Error): void }>();

  write(batch: BatchRows): Promise<BatchOutcome> {
    this.started.push(batch.lastSeq);
    return new Promise((resolve, reject) =>
      this.pending.set(batch.lastSeq, {
        resolve: () => {
          this.committed.push(batch.lastSeq);
          resolve(OK);
        },
        reject,
      }),
    );
  }

  finish(seq: number, error?: Error): void {
    const p = this.pending.get(seq)!;
    if (error) p.reject(error);
    else p.resolve();
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OrderedBatchWriter', () => {
  it('starts a family batch only after the one before it committed; other families run alongside', async () => {
    const inner = new ControlledWriter();
    const writer = new OrderedBatchWriter(inner);
    const first = writer.write(rows(1), checkpoint('tick', 0));
    const second = writer.write(rows(2), checkpoint('tick', 0));
    const other = writer.write(rows(10), checkpoint('trade', 0));
    await settle();
    expect(inner.started).toEqual([1, 10]);
    inner.finish(1);
    await first;
    await settle();
    expect(inner.started).toEqual([1, 10, 2]);
    inner.finish(2);
    inner.finish(10);
    await expect(Promise.all([second, other])).resolves.toHaveLength(2);
    expect(inner.committed).toEqual([1, 2, 10]);
  });

  it('refuses, unwritten, the later batches of the epoch in which one failed, and takes them again in the next', async () => {
    const inner = new ControlledWriter();
    const writer = new OrderedBatchWriter(inner);
    const first = writer.write(rows(1), checkpoint('tick', 0));
    const second = writer.write(rows(2), checkpoint('tick', 0));
    await settle();
    inner.finish(1, new Error('server gone'));
    await expect(first).rejects.toThrow('server gone');
    await expect(second).rejects.toThrow('an earlier batch of this family was not committed');
    expect(inner.started).toEqual([1]);

    const again = writer.write(rows(1), checkpoint('tick', 1));
    await settle();
    inner.finish(1);
    await expect(again).resolves.toEqual(OK);
  });
});
