// XXH32 of a string's UTF-8 bytes, in plain JavaScript with Math.imul. Measured against xxhash-wasm
// and @node-rs/xxhash (bench/slot): for keys like "BTC/USDT" and "acct:12345" this is the fastest,
// because no bytes cross into wasm or native code, and it needs no async init.
// The XXH32 primes; tm_slot's SQL is generated from the same constants.
export const PRIME1 = 0x9e3779b1;
export const PRIME2 = 0x85ebca77;
export const PRIME3 = 0xc2b2ae3d;
export const PRIME4 = 0x27d4eb2f;
export const PRIME5 = 0x165667b1;

// V8 keeps strings shorter than 13 chars flat; longer ones may be ropes, where charCodeAt is slow.
const DIRECT_MAX_LENGTH = 12;
// A key of n UTF-16 units needs at most 3n UTF-8 bytes; longer keys get a buffer of their own.
const SCRATCH_BYTES = 64 * 1024;

const encoder = new TextEncoder();
const scratch = new Uint8Array(SCRATCH_BYTES);
const scratchView = new DataView(scratch.buffer);

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function round(acc: number, word: number): number {
  return Math.imul(rotl((acc + Math.imul(word, PRIME2)) | 0, 13), PRIME1);
}

function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 15), PRIME2);
  h = Math.imul(h ^ (h >>> 13), PRIME3);
  return (h ^ (h >>> 16)) >>> 0;
}

/** XXH32 of `key` encoded as UTF-8 (a lone surrogate encodes as U+FFFD, as TextEncoder, Buffer and pg do). */
export function xxh32(key: string, seed: number): number {
  return key.length <= DIRECT_MAX_LENGTH ? shortKey(key, seed) : encoded(key, seed);
}

// Under 16 bytes XXH32 only mixes words and bytes; for ASCII the char codes are the UTF-8 bytes.
function shortKey(key: string, seed: number): number {
  const len = key.length;
  let h = (seed + PRIME5 + len) | 0;
  let seen = 0;
  let p = 0;
  for (; p <= len - 4; p += 4) {
    const a = key.charCodeAt(p);
    const b = key.charCodeAt(p + 1);
    const c = key.charCodeAt(p + 2);
    const d = key.charCodeAt(p + 3);
    seen |= a | b | c | d;
    h = Math.imul(rotl((h + Math.imul(a | (b << 8) | (c << 16) | (d << 24), PRIME3)) | 0, 17), PRIME4);
  }
  for (; p < len; p++) {
    const a = key.charCodeAt(p);
    seen |= a;
    h = Math.imul(rotl((h + Math.imul(a, PRIME5)) | 0, 11), PRIME1);
  }
  return seen < 0x80 ? avalanche(h) : encoded(key, seed);
}

function encoded(key: string, seed: number): number {
  if (key.length * 3 <= SCRATCH_BYTES)
    return bytes(scratchView, encoder.encodeInto(key, scratch).written, seed);
  const own = encoder.encode(key);
  return bytes(new DataView(own.buffer, own.byteOffset, own.byteLength), own.byteLength, seed);
}

function bytes(view: DataView, len: number, seed: number): number {
  let p = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) | 0;
    let v2 = (seed + PRIME2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - PRIME1) | 0;
    for (; p <= len - 16; p += 16) {
      v1 = round(v1, view.getInt32(p, true));
      v2 = round(v2, view.getInt32(p + 4, true));
      v3 = round(v3, view.getInt32(p + 8, true));
      v4 = round(v4, view.getInt32(p + 12, true));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + PRIME5) | 0;
  }
  h = (h + len) | 0;
  for (; p <= len - 4; p += 4) {
    h = Math.imul(rotl((h + Math.imul(view.getInt32(p, true), PRIME3)) | 0, 17), PRIME4);
  }
  for (; p < len; p++) {
    h = Math.imul(rotl((h + Math.imul(view.getUint8(p), PRIME5)) | 0, 11), PRIME1);
  }
  return avalanche(h);
}
