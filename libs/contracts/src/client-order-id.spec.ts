import { describe, expect, it } from 'vitest';
import { clientOrderIdOf } from './client-order-id.js';

describe('clientOrderIdOf', () => {
  it('gives the same id for the same flow, step and child, every time', () => {
    const origin = { flowId: 'f-1', step: 2, child: 0 };
    expect(clientOrderIdOf(origin)).toBe(clientOrderIdOf({ ...origin }));
    expect(clientOrderIdOf(origin)).toMatch(/^tm[0-9a-f]{30}$/);
  });

  it('gives different ids when any part differs, including ambiguous concatenations', () => {
    const ids = new Set([
      clientOrderIdOf({ flowId: 'f-1', step: 2, child: 0 }),
      clientOrderIdOf({ flowId: 'f-1', step: 2, child: 1 }),
      clientOrderIdOf({ flowId: 'f-1', step: 20, child: 0 }),
      clientOrderIdOf({ flowId: 'f-12', step: 0, child: 0 }),
      clientOrderIdOf({ flowId: 'f-2', step: 2, child: 0 }),
    ]);
    expect(ids.size).toBe(5);
  });
});
