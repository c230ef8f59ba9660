import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodePayload, encodePayload, validatePayload, type DecodeResult } from './payload-decoder.js';
import { TickV1 } from './schemas/market-data.schema.js';
import { ReplyErrorV1, replyEnvelope } from './schemas/reply.schema.js';
import {
  BeaconV1,
  ControlCommandV1,
  DeadLetterV1,
  InstanceStatusV1,
  LifecycleTransitionV1,
  SnapshotV1,
} from './schemas/system.schema.js';

const T = 1_763_700_000_000_000;

const tick = {
  v: 1,
  instrument: 'BTC/USDT',
  source: 'binance',
  bid: 91_000.5,
  bidSize: 1.2,
  ask: 91_001,
  askSize: 0.4,
  tsEvent: T - 800,
  tsInit: T,
};

const beacon = {
  v: 1,
  service: 'aggregator',
  instance: 'a-1',
  state: 'Running',
  tsInit: T,
  startedAt: T - 1,
  pid: 4242,
  host: 'node-1',
  httpPort: 3001,
};

const snapshot = {
  v: 1,
  service: 'aggregator',
  instance: 'a-1',
  state: 'Running',
  tsInit: T,
  cpuPercent: 12.5,
  memory: { rssBytes: 100, heapUsedBytes: 50, heapTotalBytes: 80 },
  eventLoopLagMs: { p50: 0.4, p99: 3.1 },
  gauges: { ticksPerSecond: 1200 },
};

const transition = {
  v: 1,
  eventId: 'e-1',
  service: 'venue-connectors',
  instance: 'v-1',
  level: 'application-feature',
  path: 'venue-connectors/v-1/binance',
  from: 'Running',
  to: 'Waiting',
  reason: 'venue unreachable',
  seq: 7,
  tsInit: T,
};

const status = {
  v: 1,
  service: 'fix-server',
  instance: 'f-1',
  state: 'Running',
  since: T - 5,
  startedAt: T - 10,
  tsInit: T,
  pid: 7,
  host: 'node-2',
  features: [{ name: 'client-a', state: 'Parked', since: T - 3, reason: 'disabled' }],
  dependencies: { nats: { up: true }, postgres: { up: false, detail: 'ECONNREFUSED' } },
};

const deadLetter = {
  v: 1,
  service: 'persister',
  instance: 'p-1',
  subject: 'tm.md.tick.3',
  reason: 'payload is not JSON',
  payloadBase64: 'e30=',
  tsInit: T,
};

const pauseReply = replyEnvelope(z.object({ paused: z.boolean() }));

// One valid payload (or more) per schema, as a service would put it on the wire.
const VALID: [string, z.ZodType, unknown][] = [
  ['TickV1', TickV1, tick],
  [
    'TickV1 from a FIX LP, settled perpetual',
    TickV1,
    { ...tick, instrument: 'BTC/USDT:USDT', source: 'fix:lp-1' },
  ],
  ['BeaconV1', BeaconV1, beacon],
  ['SnapshotV1', SnapshotV1, snapshot],
  ['LifecycleTransitionV1', LifecycleTransitionV1, transition],
  [
    'ControlCommandV1',
    ControlCommandV1,
    { v: 1, action: 'park', requestedBy: 'ops@desk', reason: 'venue off' },
  ],
  ['InstanceStatusV1', InstanceStatusV1, status],
  ['DeadLetterV1', DeadLetterV1, deadLetter],
  ['ReplyErrorV1', ReplyErrorV1, { code: 'ILLEGAL_TRANSITION', message: 'Running → Deployed' }],
  ['a reply envelope with a result', pauseReply, { v: 1, ok: true, result: { paused: true } }],
  [
    'a reply envelope with an error',
    pauseReply,
    {
      v: 1,
      ok: false,
      error: { code: 'INVALID_PAYLOAD', message: 'bad', details: ['action: Invalid option'] },
    },
  ],
];

/** Asserts a refusal and hands back its reason and details. */
function refused<T>(result: DecodeResult<T>): { reason: string; details: string[] } {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  return result;
}

describe('decodePayload', () => {
  it.each(VALID)('accepts a valid %s from bytes and from a string', (_name, schema, payload) => {
    expect(decodePayload(schema, encodePayload(payload))).toEqual({ ok: true, value: payload });
    expect(decodePayload(schema, JSON.stringify(payload))).toEqual({ ok: true, value: payload });
  });

  it('refuses invalid UTF-8', () => {
    expect(decodePayload(TickV1, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toEqual({
      ok: false,
      reason: 'payload is not valid UTF-8',
      details: [],
    });
  });

  it.each(['', '{"v":', 'not json', "{'v':1}"])('refuses the non-JSON %j', (text) => {
    const { reason, details } = refused(decodePayload(TickV1, Buffer.from(text)));
    expect(reason).toMatch(/^payload is not JSON: /);
    expect(details).toEqual([]);
  });

  it('names every missing field', () => {
    const { v: _v, bid: _bid, ...partial } = tick;
    const { reason, details } = refused(decodePayload(TickV1, JSON.stringify(partial)));
    expect(details.map((detail) => detail.split(':')[0])).toEqual(['v', 'bid']);
    expect(reason).toBe(`invalid payload: ${details.join('; ')}`);
    expect(details[1]).toBe('bid: Invalid input: expected number, received undefined');
  });

  it.each([
    ['a wrong enum value', ControlCommandV1, { v: 1, action: 'explode' }, 'action'],
    ['a wrong version', ControlCommandV1, { v: 2, action: 'pause' }, 'v'],
    ['a symbol that is not unified', TickV1, { ...tick, instrument: 'btcusdt' }, 'instrument'],
    ['a negative price', TickV1, { ...tick, bid: -1 }, 'bid'],
    ['a fractional timestamp', TickV1, { ...tick, tsInit: 1.5 }, 'tsInit'],
    ['a lifecycle state that does not exist', LifecycleTransitionV1, { ...transition, to: 'Sleeping' }, 'to'],
    ['a seq of 0', LifecycleTransitionV1, { ...transition, seq: 0 }, 'seq'],
    ['an unknown level', LifecycleTransitionV1, { ...transition, level: 'galaxy' }, 'level'],
    ['a port out of range', BeaconV1, { ...beacon, httpPort: 70_000 }, 'httpPort'],
    [
      'a nested feature state',
      InstanceStatusV1,
      { ...status, features: [{ ...status.features[0], state: 'Nope' }] },
      'features.0.state',
    ],
    [
      'a gauge that is not a number',
      SnapshotV1,
      { ...snapshot, gauges: { ticksPerSecond: 'fast' } },
      'gauges.ticksPerSecond',
    ],
    ['a missing nested field', SnapshotV1, { ...snapshot, eventLoopLagMs: { p50: 1 } }, 'eventLoopLagMs.p99'],
    ['headers that are not string lists', DeadLetterV1, { ...deadLetter, headers: { a: 'b' } }, 'headers.a'],
    [
      'an error code outside the list',
      pauseReply,
      { v: 1, ok: false, error: { code: 'BOOM', message: 'x' } },
      'error.code',
    ],
    ['a wrong result', pauseReply, { v: 1, ok: true, result: { paused: 'yes' } }, 'result.paused'],
  ])('refuses %s and names the field path', (_name, schema, payload, path) => {
    const { reason, details } = refused(decodePayload(schema, JSON.stringify(payload)));
    expect(details).toHaveLength(1);
    expect(details[0]!.startsWith(`${path}: `), details[0]).toBe(true);
    expect(reason).toBe(`invalid payload: ${details[0]}`);
  });

  it('names the root when the payload is not an object', () => {
    expect(decodePayload(TickV1, '[]')).toEqual({
      ok: false,
      reason: 'invalid payload: (root): Invalid input: expected object, received array',
      details: ['(root): Invalid input: expected object, received array'],
    });
  });
});

describe('validatePayload', () => {
  it('validates a value already parsed', () => {
    expect(validatePayload(ControlCommandV1, { v: 1, action: 'resume' })).toEqual({
      ok: true,
      value: { v: 1, action: 'resume' },
    });
    expect(refused(validatePayload(ControlCommandV1, { v: 1 })).details).toEqual([
      expect.stringMatching(/^action: /),
    ]);
  });
});

describe('encodePayload', () => {
  it('encodes JSON as UTF-8 bytes', () => {
    const bytes = encodePayload({ instrument: 'BTC/USDT', note: 'é→' });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(bytes)).toBe('{"instrument":"BTC/USDT","note":"é→"}');
  });
});
