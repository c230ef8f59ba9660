// tm_slot(text) in PL/pgSQL: the slot formula for CHECK constraints, partitioning and ad-hoc SQL.
// It runs ~150k calls/s, so services compute slots in Node and store them; tm_slot verifies them.
import { ShardingError, ShardingErrorCode } from './sharding.error.js';
import { SLOT_COUNT } from './slot.js';
import { PRIME1, PRIME2, PRIME3, PRIME4, PRIME5 } from './xxh32.js';

/** A reversible migration as plain SQL, so this lib needs no ORM; persistence runs it once at deploy. */
export interface SqlMigration {
  readonly id: string;
  up(schema: string): string;
  down(schema: string): string;
}

const MASK = 0xffffffff;

// x * c mod 2^32 in bigint: c split at 16 bits keeps every product under 2^49 (x < 2^32).
const mul = (x: string, c: number): string =>
  `((${x} * ${c & 0xffff} + (((${x} * ${c >>> 16}) & 65535) << 16)) & ${MASK})`;
const rotl = (x: string, r: number): string => `(((${x} << ${r}) | (${x} >> ${32 - r})) & ${MASK})`;
// A little-endian 32-bit word of the key's bytes at offset p.
const WORD =
  '(get_byte(b, p)::bigint | (get_byte(b, p + 1)::bigint << 8)' +
  ' | (get_byte(b, p + 2)::bigint << 16) | (get_byte(b, p + 3)::bigint << 24))';

const lane = (v: string): string => `
      w := ${WORD}; p := p + 4;
      t := (${v} + ${mul('w', PRIME2)}) & ${MASK};
      ${v} := ${mul(rotl('t', 13), PRIME1)};`;

const BODY = `
-- slot(key) = (XXH32(utf8(key), seed 0) mod ${SLOT_COUNT}) + 1, the same as slot() in @tm/sharding.
-- XXH32 works on unsigned 32-bit words: here they live in bigint, masked after every step.
DECLARE
  b bytea := convert_to(key, 'UTF8');
  len integer := length(b);
  p integer := 0;
  v1 bigint := ${(PRIME1 + PRIME2) % 2 ** 32};
  v2 bigint := ${PRIME2};
  v3 bigint := 0;
  v4 bigint := ${2 ** 32 - PRIME1};
  h bigint;
  t bigint;
  w bigint;
BEGIN
  IF len >= 16 THEN
    WHILE p <= len - 16 LOOP${lane('v1')}${lane('v2')}${lane('v3')}${lane('v4')}
    END LOOP;
    h := (${rotl('v1', 1)} + ${rotl('v2', 7)} + ${rotl('v3', 12)} + ${rotl('v4', 18)}) & ${MASK};
  ELSE
    h := ${PRIME5};
  END IF;
  h := (h + len) & ${MASK};
  WHILE p <= len - 4 LOOP
    w := ${WORD}; p := p + 4;
    t := (h + ${mul('w', PRIME3)}) & ${MASK};
    h := ${mul(rotl('t', 17), PRIME4)};
  END LOOP;
  WHILE p < len LOOP
    t := (h + get_byte(b, p)::bigint * ${PRIME5}) & ${MASK}; p := p + 1;
    h := ${mul(rotl('t', 11), PRIME1)};
  END LOOP;
  t := h # (h >> 15); h := ${mul('t', PRIME2)};
  t := h # (h >> 13); h := ${mul('t', PRIME3)};
  h := h # (h >> 16);
  RETURN (h % ${SLOT_COUNT} + 1)::integer;
END
`;

// PostgreSQL truncates identifiers past 63 bytes and text cannot hold NUL: both are refused, not guessed at.
function quoteSchema(schema: string): string {
  if (schema.length === 0 || schema.includes('\0') || Buffer.byteLength(schema) > 63) {
    throw new ShardingError(
      ShardingErrorCode.InvalidSchemaName,
      `schema name ${JSON.stringify(schema)} must be 1-63 bytes without NUL`,
    );
  }
  return `"${schema.replaceAll('"', '""')}"`;
}

export const tmSlotMigration: SqlMigration = {
  id: '0001_tm_slot',
  up: (schema) =>
    `CREATE OR REPLACE FUNCTION ${quoteSchema(schema)}.tm_slot(key text) RETURNS integer\n` +
    `LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $tm_slot$${BODY}$tm_slot$`,
  down: (schema) => `DROP FUNCTION IF EXISTS ${quoteSchema(schema)}.tm_slot(text)`,
};
