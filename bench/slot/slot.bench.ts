// Slots per second of @tm/sharding's slot() against xxhashjs (the reference) and the other XXH32
// candidates, over the same 100k realistic keys; then the cost of assigning slots to instances.
// Run after the build: node bench/dist/slot/slot.bench.js (never part of the tests). Each candidate is
// timed in a child process of its own, so no JIT state of one run favours or slows another.
import { execFileSync } from 'node:child_process';
import { xxh32 as nativeXxh32 } from '@node-rs/xxhash';
import { assignSlotRanges, slot, SLOT_COUNT } from '@tm/sharding';
import xxhashWasm from 'xxhash-wasm';
import XXH from 'xxhashjs';

const KEY_COUNT = 100_000;
const LONG_KEY_COUNT = 1_000;
const WARMUP_ROUNDS = 3;
const RUNS = 5;
const MIN_RUN_MS = 150;
const TARGET_RATE = 5_000_000;
const TARGET_RATIO = 10;

type SlotFn = (key: string) => number;
interface Candidate {
  name: string;
  fn: SlotFn;
}

const { h32: wasmXxh32 } = await xxhashWasm();
const REFERENCE = 'xxhashjs (reference)';
const CANDIDATES: Candidate[] = [
  { name: '@tm/sharding slot() pure JS', fn: slot },
  { name: 'xxhash-wasm', fn: (key) => (wasmXxh32(key, 0) % SLOT_COUNT) + 1 },
  { name: '@node-rs/xxhash (native)', fn: (key) => (nativeXxh32(key, 0) % SLOT_COUNT) + 1 },
  { name: REFERENCE, fn: (key) => (XXH.h32(key, 0).toNumber() % SLOT_COUNT) + 1 },
];

// Instruments (spot, perpetuals, dated futures) and account ids, numeric and UUID, half and half.
function realisticKeys(): string[] {
  const bases = 'BTC ETH SOL XRP ADA DOGE AVAX DOT LINK LTC BNB TRX ATOM NEAR'.split(' ');
  const quotes = ['USDT', 'USD', 'USDC', 'EUR', 'BTC'];
  let state = 42;
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const keys: string[] = [];
  for (let i = 0; i < KEY_COUNT; i++) {
    if (i % 2 === 0) {
      const base = bases[next(bases.length)];
      const quote = quotes[next(quotes.length)];
      const kind = next(10);
      keys.push(
        kind < 7 ? `${base}/${quote}` : kind < 9 ? `${base}/${quote}:${quote}` : `${base}/USD:${base}-250627`,
      );
    } else if (next(10) < 8) {
      keys.push(`acct:${1 + next(10_000_000)}`);
    } else {
      const hex = Array.from({ length: 8 }, () => next(0x10000).toString(16).padStart(4, '0')).join('');
      keys.push(
        `acct:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
      );
    }
  }
  // Keys arrive parsed from messages, as flat strings.
  return JSON.parse(JSON.stringify(keys)) as string[];
}

function runOnce(fn: SlotFn, keys: readonly string[], passes: number): { ms: number; checksum: number } {
  let checksum = 0;
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) for (const key of keys) checksum = (checksum + fn(key)) | 0;
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, checksum };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** Median slots/s of 5 runs, each long enough to time (at least MIN_RUN_MS), after warm-up rounds. */
function slotsPerSecond(fn: SlotFn, keys: readonly string[]): { rate: number; checksum: number } {
  let warm = { ms: 0, checksum: 0 };
  for (let i = 0; i < WARMUP_ROUNDS; i++) warm = runOnce(fn, keys, 1);
  const passes = Math.max(1, Math.ceil(MIN_RUN_MS / Math.max(warm.ms, 0.01)));
  const rates = Array.from(
    { length: RUNS },
    () => (passes * keys.length) / (runOnce(fn, keys, passes).ms / 1000),
  );
  return { rate: median(rates), checksum: warm.checksum };
}

const KEY_SETS = {
  realistic: realisticKeys,
  long: (): string[] =>
    JSON.parse(
      JSON.stringify(Array.from({ length: LONG_KEY_COUNT }, (_, i) => `acct:${i}:${'x'.repeat(1019)}`)),
    ),
};
type KeySet = keyof typeof KEY_SETS;

function measureInChild(set: KeySet, candidate: number): number {
  const out = execFileSync(process.execPath, [process.argv[1]!, '--measure', set, String(candidate)], {
    encoding: 'utf8',
  });
  return Number(out.trim());
}

function table(title: string, set: KeySet): Map<string, number> {
  const keys = KEY_SETS[set]();
  for (const key of keys.slice(0, 2_000)) {
    const expected = CANDIDATES.at(-1)!.fn(key);
    for (const c of CANDIDATES) {
      if (c.fn(key) !== expected)
        throw new Error(`${c.name} disagrees with xxhashjs on ${JSON.stringify(key)}`);
    }
  }
  const rates = new Map<string, number>(CANDIDATES.map((c, i) => [c.name, measureInChild(set, i)]));
  const reference = rates.get(REFERENCE)!;
  console.log(`\n${title}`);
  console.log(
    `${'implementation'.padEnd(30)} ${'slots/s'.padStart(13)} ${'ns/slot'.padStart(9)} ${'× xxhashjs'.padStart(11)}`,
  );
  for (const [name, rate] of rates) {
    const row = [
      name.padEnd(30),
      Math.round(rate).toLocaleString('en-US').padStart(13),
      (1e9 / rate).toFixed(1).padStart(9),
      (rate / reference).toFixed(1).padStart(11),
    ];
    console.log(row.join(' '));
  }
  return rates;
}

function assignmentCost(): void {
  console.log('\nassignSlotRanges (512 blocks, rendezvous): median of 50 after 10 warm-up');
  console.log(`${'instances'.padEnd(10)} ${'ms'.padStart(8)} ${'ranges'.padStart(7)}`);
  for (const n of [2, 4, 8]) {
    const ids = Array.from({ length: n }, (_, i) => `aggregator-${i}-5d8f7c9b4-x${i}q`);
    const times: number[] = [];
    let ranges = 0;
    for (let i = 0; i < 60; i++) {
      const started = process.hrtime.bigint();
      const assignment = assignSlotRanges(ids);
      if (i >= 10) times.push(Number(process.hrtime.bigint() - started) / 1e6);
      ranges = [...assignment.values()].reduce((sum, r) => sum + r.length, 0);
    }
    console.log(
      `${String(n).padEnd(10)} ${median(times).toFixed(3).padStart(8)} ${String(ranges).padStart(7)}`,
    );
  }
}

function report(): void {
  const averageLength = realisticKeys().reduce((sum, k) => sum + k.length, 0) / KEY_COUNT;
  const rates = table(
    `${KEY_COUNT.toLocaleString('en-US')} realistic keys (avg ${averageLength.toFixed(1)} chars), median of ${RUNS} runs`,
    'realistic',
  );
  table(`${LONG_KEY_COUNT.toLocaleString('en-US')} keys of 1 KiB (information only: not a target)`, 'long');

  const chosen = rates.get(CANDIDATES[0]!.name)!;
  const ratio = chosen / rates.get(REFERENCE)!;
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
  console.log('\ntargets for @tm/sharding slot()');
  console.log(
    `  >= ${TARGET_RATE.toLocaleString('en-US')} slots/s : ${Math.round(chosen).toLocaleString('en-US')} ${verdict(chosen >= TARGET_RATE)}`,
  );
  console.log(
    `  >= ${TARGET_RATIO}x xxhashjs       : ${ratio.toFixed(1)}x ${verdict(ratio >= TARGET_RATIO)}`,
  );
  assignmentCost();
}

const [, , flag, set, candidate] = process.argv;
if (flag === '--measure') {
  console.log(slotsPerSecond(CANDIDATES[Number(candidate)]!.fn, KEY_SETS[set as KeySet]()).rate);
} else {
  report();
}
