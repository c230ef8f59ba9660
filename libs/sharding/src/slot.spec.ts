import XXH from 'xxhashjs';
import { describe, expect, it } from 'vitest';
import { loadSlotVectors } from '../test/slot-vectors.js';
import { SlotOutOfRangeError } from './sharding.error.js';
import { accountSlot, instrumentSlot, isValidSlot, slot, SLOT_COUNT } from './slot.js';

const reference = (key: string): number => XXH.h32(key, 0).toNumber();
const vectors = loadSlotVectors();

// A seeded generator, so the random keys are the same on every run.
function* randomKeys(count: number): Generator<string> {
  let state = 0x2545f491;
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const alphabet = [
    'a',
    'Z',
    '7',
    '/',
    ':',
    '-',
    'é',
    'ß',
    '日',
    '€',
    '🚀',
    '👍🏽',
    'e\u0301',
    '\u07ff',
    '\u0800',
  ];
  for (let i = 0; i < count; i++) {
    let key = '';
    for (let n = next(80); n > 0; n--) key += alphabet[next(alphabet.length)];
    yield key;
  }
}

describe('slot vectors', () => {
  it('cover ASCII, Unicode, the empty key and keys of 1 KB and 10 KB', () => {
    const bytes = vectors.map((v) => Buffer.byteLength(v.key));
    expect(vectors.length).toBeGreaterThanOrEqual(120);
    expect(vectors.some((v) => v.key === '')).toBe(true);
    expect(vectors.some((v) => /\p{Extended_Pictographic}/u.test(v.key))).toBe(true);
    expect(vectors.some((v) => /\p{Script=Han}/u.test(v.key))).toBe(true);
    expect(vectors.some((v) => /\p{M}/u.test(v.key))).toBe(true);
    expect(bytes.filter((n) => n >= 1024).length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...bytes)).toBeGreaterThanOrEqual(10240);
  });

  it('agree with xxhashjs, the reference', () => {
    for (const v of vectors) {
      expect(reference(v.key), JSON.stringify(v.key.slice(0, 40))).toBe(v.xxh32);
      expect((v.xxh32 % SLOT_COUNT) + 1).toBe(v.slot);
    }
  });

  it('agree with slot()', () => {
    for (const v of vectors) expect(slot(v.key), JSON.stringify(v.key.slice(0, 40))).toBe(v.slot);
  });
});

describe('slot', () => {
  it('matches xxhashjs on random well-formed keys of every length up to 80 code points', () => {
    for (const key of randomKeys(3000)) expect(slot(key), key).toBe((reference(key) % SLOT_COUNT) + 1);
  });

  it('hashes ropes built by concatenation like the flat string', () => {
    const long = 'x'.repeat(40);
    for (const key of [`acct:${'1'.repeat(20)}`, `${long}${long}`, `${'日'.repeat(30)}/USDT`]) {
      expect(slot(key)).toBe((reference(key) % SLOT_COUNT) + 1);
    }
  });

  it('encodes a lone surrogate as U+FFFD, as the bytes that reach NATS and PostgreSQL do', () => {
    expect(slot('\ud800')).toBe(slot('\ufffd'));
    expect(slot('acct:\udc00x')).toBe(slot('acct:\ufffdx'));
    expect(slot(`${'a'.repeat(20)}\ud83d`)).toBe(slot(`${'a'.repeat(20)}\ufffd`));
  });

  it('keys instruments by symbol and accounts by "acct:<id>"', () => {
    expect(instrumentSlot('BTC/USDT')).toBe(vectors.find((v) => v.key === 'BTC/USDT')!.slot);
    expect(accountSlot('12345')).toBe(vectors.find((v) => v.key === 'acct:12345')!.slot);
  });
});

describe('isValidSlot', () => {
  it('accepts the integers 1..32767 only', () => {
    expect([1, 2, 16384, SLOT_COUNT].every(isValidSlot)).toBe(true);
    for (const n of [0, -1, SLOT_COUNT + 1, 1.5, Number.NaN, Infinity, '5', null])
      expect(isValidSlot(n)).toBe(false);
  });

  it('is what slot() always returns', () => {
    for (const key of randomKeys(500)) expect(isValidSlot(slot(key))).toBe(true);
  });
});

describe('SlotOutOfRangeError', () => {
  it('is a RangeError with a code', () => {
    const error = new SlotOutOfRangeError(0);
    expect(error).toBeInstanceOf(RangeError);
    expect(error.code).toBe('SLOT_OUT_OF_RANGE');
  });
});
