import { describe, expect, it } from 'vitest';
import { inputProblems, readStartBody } from './flow-api.dto.js';

const input = { venue: 'paper', instrument: 'BTC/USDT', kind: 'market', amount: '0.5' };

describe('readStartBody', () => {
  it('takes the key from the body or the Idempotency-Key header, and the input as sent (no defaults added)', () => {
    expect(readStartBody('buy', { account: 'desk', idempotencyKey: 'key-0001', input }, undefined)).toEqual({
      ok: true,
      value: { account: 'desk', idempotencyKey: 'key-0001', input },
    });
    expect(readStartBody('buy', { account: 'desk', input, correlationId: 'c-1' }, 'key-0002')).toEqual({
      ok: true,
      value: { account: 'desk', idempotencyKey: 'key-0002', input, correlationId: 'c-1' },
    });
    expect(readStartBody('buy', { account: 'desk', idempotencyKey: 'key-0003', input }, 'key-0003').ok).toBe(
      true,
    );
  });

  it('refuses a key missing from both, a header that differs from the body, and a malformed header', () => {
    expect(readStartBody('buy', { account: 'desk', input }, undefined)).toEqual({
      ok: false,
      details: ['idempotencyKey: required, in the body or the Idempotency-Key header'],
    });
    expect(readStartBody('buy', { account: 'desk', idempotencyKey: 'key-0001', input }, 'key-0002')).toEqual({
      ok: false,
      details: ['idempotencyKey: differs from the Idempotency-Key header'],
    });
    expect(readStartBody('buy', { account: 'desk', input }, 'short')).toEqual({
      ok: false,
      details: ['Idempotency-Key: must be 8–128 letters, digits or _.:=-'],
    });
  });

  it("names every failing field, the verb's input fields under `input.`", () => {
    const bad = readStartBody(
      'buy',
      { account: 'desk', idempotencyKey: 'key-0001', input: { ...input, kind: 'limit', amount: '-1' } },
      undefined,
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.details.map((detail) => detail.split(':')[0]).sort()).toEqual(['input.amount', 'input.price']);
    const shape = readStartBody('buy', { account: 'not an account!', input: 'buy please' }, undefined);
    expect(shape.ok || shape.details.map((detail) => detail.split(':')[0]).sort()).toEqual([
      'account',
      'input',
    ]);
  });
});

describe('inputProblems', () => {
  it('is empty for a valid input and names the root as `input`', () => {
    expect(inputProblems('buy', input)).toEqual([]);
    expect(inputProblems('sell', { ...input, amount: undefined })).toEqual([
      'input.amount: give exactly one of amount and fractionOfFree',
    ]);
    expect(inputProblems('convert', null)[0]).toMatch(/^input: /);
  });
});
