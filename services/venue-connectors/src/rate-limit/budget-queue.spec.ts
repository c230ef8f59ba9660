import { describe, expect, it } from 'vitest';
import { BudgetQueue, type AcquireKind, type Waiter } from './budget-queue.js';

function waiter(kind: AcquireKind, id: number): Waiter & { id: number } {
  return { kind, id, resolve: () => undefined, reject: () => undefined, settled: false };
}

describe('BudgetQueue', () => {
  it('serves every queued cancel before older orders and queries, each lane in arrival order', () => {
    const queue = new BudgetQueue();
    const arrivals = [
      waiter('order', 1),
      waiter('query', 2),
      waiter('cancel', 3),
      waiter('order', 4),
      waiter('cancel', 5),
    ];
    for (const item of arrivals) queue.push(item);
    expect(queue.countOf('cancel')).toBe(2);
    expect(queue.countOf('order')).toBe(2);
    expect(queue.countOf('query')).toBe(1);
    const served: number[] = [];
    for (let next = queue.take(); next; next = queue.take())
      served.push((next as Waiter & { id: number }).id);
    expect(served).toEqual([3, 5, 1, 2, 4]);
    expect(queue.length).toBe(0);
    expect(queue.countOf('order')).toBe(0);
  });

  it('puts a cancel arriving later ahead of everything still queued', () => {
    const queue = new BudgetQueue();
    queue.push(waiter('order', 1));
    queue.push(waiter('order', 2));
    expect(queue.take()?.kind).toBe('order');
    queue.push(waiter('cancel', 3));
    expect(queue.peek()?.kind).toBe('cancel');
    expect(queue.cancelCount).toBe(1);
    expect(queue.generalCount).toBe(1);
  });

  it('keeps its order across many takes and drains cancels first', () => {
    const queue = new BudgetQueue();
    for (let id = 0; id < 5000; id += 1) queue.push(waiter('data', id));
    for (let id = 0; id < 3000; id += 1) expect((queue.take() as Waiter & { id: number }).id).toBe(id);
    queue.push(waiter('cancel', 9999));
    const rest = queue.drain() as (Waiter & { id: number })[];
    expect(rest.map((item) => item.id).slice(0, 3)).toEqual([9999, 3000, 3001]);
    expect(rest).toHaveLength(2001);
    expect(queue.length).toBe(0);
    expect(queue.countOf('data')).toBe(0);
  });
});
