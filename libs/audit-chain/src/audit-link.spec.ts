import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { genesisHash, linkHash, verifyChain, type AuditLink, type StoredLink } from './audit-link.js';

function chain(chainId: string, count: number): StoredLink[] {
  const rows: StoredLink[] = [];
  let prev = genesisHash(chainId);
  for (let seq = 1; seq <= count; seq++) {
    const link: AuditLink = {
      chainId,
      seq,
      eventId: `${chainId}.${seq}`,
      type: seq === 1 ? 'FlowStarted' : 'StepSucceeded',
      stepIndex: seq === 1 ? null : seq - 2,
      stepName: seq === 1 ? null : `step-${seq - 2}`,
      attempt: seq === 1 ? null : 1,
      actor: { kind: 'user', id: 'u1' },
      correlationId: chainId,
      causationId: seq === 1 ? null : `${chainId}.${seq - 1}`,
      detail: { result: { filled: '0.1', price: 60_000.5, legs: [1, 2] } },
      tsInit: 1_795_000_000_000_000 + seq,
    };
    const hash = linkHash(prev, link);
    rows.push({ ...link, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe('canonicalJson', () => {
  it('gives one text whatever the key order, at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [2, { x: 0, y: 1 }] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('leaves undefined fields out, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain, read back with its keys in another order', () => {
    const rows = chain('f1', 5).map((row) => ({ ...row, detail: JSON.parse(JSON.stringify(row.detail)) }));
    expect(verifyChain('f1', rows, rows.at(-1)!.hash)).toEqual({
      ok: true,
      rows: 5,
      head: rows.at(-1)!.hash,
    });
  });

  it('names the first edited row', () => {
    const rows = chain('f1', 5);
    rows[2] = { ...rows[2]!, detail: { result: { filled: '9' } } };
    expect(verifyChain('f1', rows)).toMatchObject({
      ok: false,
      brokenAt: 3,
      problem: expect.stringContaining('edited'),
    });
  });

  it('catches a row re-hashed after an edit: the next row no longer follows it', () => {
    const rows = chain('f1', 5);
    const edited = { ...rows[1]!, actor: { kind: 'user', id: 'mallory' } };
    const { prevHash: _p, hash: _h, ...link } = edited;
    rows[1] = { ...edited, hash: linkHash(edited.prevHash, link) };
    expect(verifyChain('f1', rows)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('catches a missing row in the middle and rows cut from the end', () => {
    const rows = chain('f1', 5);
    expect(verifyChain('f1', [rows[0]!, rows[2]!])).toMatchObject({ ok: false, brokenAt: 3 });
    expect(verifyChain('f1', rows.slice(0, 4), rows.at(-1)!.hash)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('deleted'),
    });
  });

  it('refuses rows moved from another chain', () => {
    const other = chain('f2', 2);
    expect(verifyChain('f1', other)).toMatchObject({ ok: false, brokenAt: 1 });
  });
});
