import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** What one audit row asserts; its hash covers every field and the hash of the row before it. */
export interface AuditLink {
  chainId: string;
  seq: number;
  eventId: string;
  type: string;
  stepIndex: number | null;
  stepName: string | null;
  attempt: number | null;
  actor: { kind: string; id: string };
  correlationId: string;
  causationId: string | null;
  detail: Record<string, unknown>;
  /** Microseconds. */
  tsInit: number;
}

/** The hash a chain starts from: a function of the chain's id, so rows cannot be moved to another chain. */
export function genesisHash(chainId: string): string {
  return createHash('sha256').update(`tm-audit-genesis\n${chainId}`).digest('hex');
}

export function linkHash(prevHash: string, link: AuditLink): string {
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalJson(link)}`)
    .digest('hex');
}

export interface StoredLink extends AuditLink {
  prevHash: string;
  hash: string;
}

export type ChainVerdict =
  { ok: true; rows: number; head: string } | { ok: false; rows: number; brokenAt: number; problem: string };

/**
 * Checks one chain, rows in seq order: seq runs 1, 2, 3…, each row's prevHash is the hash before it and
 * its hash is recomputed from its own fields. `head`, when given, is the hash the chain must end on.
 */
export function verifyChain(chainId: string, rows: readonly StoredLink[], head?: string): ChainVerdict {
  let prev = genesisHash(chainId);
  for (const [i, row] of rows.entries()) {
    const broken = (problem: string): ChainVerdict => ({
      ok: false,
      rows: rows.length,
      brokenAt: row.seq,
      problem,
    });
    if (row.chainId !== chainId) return broken(`row belongs to chain ${row.chainId}`);
    if (row.seq !== i + 1)
      return broken(`seq ${row.seq} where ${i + 1} was expected (a row is missing or moved)`);
    if (row.prevHash !== prev) return broken('prev_hash is not the hash of the row before');
    const { prevHash: _prevHash, hash, ...link } = row;
    if (linkHash(prev, link) !== hash) return broken('hash does not match the row (the row was edited)');
    prev = hash;
  }
  if (head !== undefined && head !== prev)
    return {
      ok: false,
      rows: rows.length,
      brokenAt: rows.length + 1,
      problem: 'the chain ends before its recorded head (rows were deleted)',
    };
  return { ok: true, rows: rows.length, head: prev };
}
