import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConfigField } from './config-field.js';
import { ConfigError } from './config.exception.js';
import { env } from './env.js';

/** The one problem a field reports for a raw value. */
function problemOf(field: ConfigField<unknown>, raw: string | undefined): string {
  try {
    field.parse(raw);
  } catch (error) {
    if (error instanceof ConfigError && error.problems.length === 1) return error.problems[0] as string;
    throw error;
  }
  throw new Error(`${field.variable} accepted ${JSON.stringify(raw)}`);
}

describe('env.string', () => {
  const field = env.string('TM_NAME', { default: 'tm', pattern: /^[a-z]+$/, expected: 'lowercase letters' });

  it('accepts a matching value, trimmed', () => {
    expect(field.parse('abc')).toBe('abc');
    expect(field.parse('  abc \n')).toBe('abc');
  });

  it('applies the default when unset, empty or blank', () => {
    expect(field.parse(undefined)).toBe('tm');
    expect(field.parse('')).toBe('tm');
    expect(field.parse('   ')).toBe('tm');
    expect(field.defaultText).toBe('tm');
  });

  it('refuses a value off the pattern, naming the variable and the form', () => {
    expect(problemOf(field, 'ABC')).toBe('TM_NAME: expected lowercase letters, got "ABC"');
  });

  it('enforces minLength and says so when no expected text is given', () => {
    const short = env.string('TM_TOKEN', { default: 'x', minLength: 3 });
    expect(short.parse('abc')).toBe('abc');
    expect(problemOf(short, 'ab')).toBe('TM_TOKEN: expected text of at least 3 characters, got "ab"');
  });

  it('is required without a default', () => {
    const required = env.string('TM_REQUIRED');
    expect(required.defaultText).toBeUndefined();
    expect(problemOf(required, undefined)).toBe('TM_REQUIRED: expected text, got nothing (it is required)');
    expect(problemOf(required, '')).toContain('TM_REQUIRED');
  });

  it('computes a function default only when unset, and describes it with its defaultText', () => {
    let calls = 0;
    const computed = env.string('TM_COMPUTED', {
      default: () => `value-${++calls}`,
      defaultText: '<computed>',
    });
    expect(computed.defaultText).toBe('<computed>');
    expect(computed.parse('given')).toBe('given');
    expect(calls).toBe(0);
    expect(computed.parse(undefined)).toBe('value-1');
  });
});

describe('env.optionalString', () => {
  const field = env.optionalString('TM_OPTIONAL', { pattern: /^\d+$/, expected: 'digits' });

  it('gives undefined when unset and the value when good', () => {
    expect(field.parse(undefined)).toBeUndefined();
    expect(field.parse('')).toBeUndefined();
    expect(field.parse('42')).toBe('42');
  });

  it('refuses a value off the pattern', () => {
    expect(problemOf(field, 'x')).toBe('TM_OPTIONAL: expected digits, got "x"');
  });
});

describe('env.int', () => {
  const field = env.int('TM_COUNT', { default: 5, min: 1, max: 10 });

  it('accepts integers in range and applies the default', () => {
    expect(field.parse('1')).toBe(1);
    expect(field.parse('10')).toBe(10);
    expect(field.parse('+7')).toBe(7);
    expect(field.parse(undefined)).toBe(5);
    expect(field.defaultText).toBe('5');
  });

  it.each(['0', '11', '1.5', '1e3', 'five', '0x5', '5,000'])('refuses %j, naming the range', (raw) => {
    expect(problemOf(field, raw)).toBe(`TM_COUNT: expected an integer between 1 and 10, got "${raw}"`);
  });

  it('words a one-sided range', () => {
    expect(env.int('TM_A', { default: 1, min: 1 }).expected).toBe('an integer of at least 1');
    expect(env.int('TM_B', { default: 1, max: 9 }).expected).toBe('an integer of at most 9');
    expect(env.int('TM_C', { default: -1 }).parse('-3')).toBe(-3);
  });
});

describe('env.durationMs', () => {
  const field = env.durationMs('TM_TICK', { default: 15_000, min: 1, max: 3_600_000 });

  it.each([
    ['250', 250],
    ['250ms', 250],
    ['15s', 15_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
  ])('reads %j as %i ms', (raw, ms) => {
    expect(field.parse(raw)).toBe(ms);
  });

  it('applies the default and shows it as a duration', () => {
    expect(field.parse(undefined)).toBe(15_000);
    expect(field.defaultText).toBe('15s');
  });

  it.each(['0', '2h', '1.5s', 'soon', '-1s'])('refuses %j, naming the variable and the range', (raw) => {
    const problem = problemOf(field, raw);
    expect(problem).toMatch(/^TM_TICK: expected a duration like 250ms, 15s, 5m or 1h/);
    expect(problem).toContain('between 1ms and 1h');
    expect(problem).toContain(`got "${raw}"`);
  });
});

describe('env.durationListMs', () => {
  const field = env.durationListMs('TM_CANDLES', { default: [60_000, 1_000], min: 1 });

  it('reads distinct durations in ascending order', () => {
    expect(field.parse('1h, 1s,1m,1s')).toEqual([1_000, 60_000, 3_600_000]);
  });

  it('applies the default, ascending, and shows it as durations', () => {
    expect(field.parse(undefined)).toEqual([1_000, 60_000]);
    expect(field.defaultText).toBe('1m,1s');
  });

  it.each(['1s,,1m', '1s,soon', '0'])('refuses %j, naming the variable', (raw) => {
    expect(problemOf(field, raw)).toMatch(/^TM_CANDLES: expected a comma-separated list of durations/);
  });
});

describe('env.port', () => {
  const field = env.port('TM_HTTP_PORT', { default: 7402 });

  it('accepts 0..65535 and applies the default', () => {
    expect(field.parse('0')).toBe(0);
    expect(field.parse('65535')).toBe(65_535);
    expect(field.parse(undefined)).toBe(7402);
  });

  it.each(['65536', '-1', 'http', '80.5'])('refuses %j', (raw) => {
    expect(problemOf(field, raw)).toBe(
      `TM_HTTP_PORT: expected a TCP port between 0 and 65535 (0 picks any free port), got "${raw}"`,
    );
  });
});

describe('env.bool', () => {
  const field = env.bool('TM_FLAG', { default: false });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['No', false],
  ])('reads %j as %s', (raw, value) => {
    expect(field.parse(raw)).toBe(value);
  });

  it('applies the default', () => {
    expect(env.bool('TM_ON', { default: true }).parse(undefined)).toBe(true);
    expect(field.defaultText).toBe('false');
  });

  it.each(['on', 'y', '2', 'truthy'])('refuses %j', (raw) => {
    expect(problemOf(field, raw)).toBe(`TM_FLAG: expected true/false, 1/0 or yes/no, got "${raw}"`);
  });
});

describe('env.oneOf', () => {
  const field = env.oneOf('TM_MODE', ['fast', 'safe'], { default: 'safe' });

  it('accepts a listed value and applies the default', () => {
    expect(field.parse('fast')).toBe('fast');
    expect(field.parse(undefined)).toBe('safe');
  });

  it('refuses anything else, listing the values', () => {
    expect(problemOf(field, 'FAST')).toBe('TM_MODE: expected one of fast, safe, got "FAST"');
  });
});

describe('env.url', () => {
  const field = env.url('TM_DB', {
    default: 'postgres://127.0.0.1/tm',
    protocols: ['postgres', 'postgresql'],
  });

  it('accepts a URL of a listed protocol and applies the default', () => {
    expect(field.parse('postgresql://u:p@db:5432/tm')).toBe('postgresql://u:p@db:5432/tm');
    expect(field.parse(undefined)).toBe('postgres://127.0.0.1/tm');
  });

  it.each(['mysql://db/tm', 'db:5432', 'postgres://', 'not a url'])('refuses %j', (raw) => {
    expect(problemOf(field, raw)).toBe(`TM_DB: expected a postgres:// or postgresql:// URL, got "${raw}"`);
  });

  it('masks a password when quoting a refused URL', () => {
    const problem = problemOf(field, 'mysql://admin:hunter2@db/tm');
    expect(problem).toBe('TM_DB: expected a postgres:// or postgresql:// URL, got "mysql://admin:***@db/tm"');
    expect(problemOf(field, 'mysql://admin:p@ss/w@rd@db/tm')).not.toMatch(/p@ss|w@rd|ss\/w/);
  });

  it('is required without a default', () => {
    expect(problemOf(env.url('TM_UPSTREAM', { protocols: ['https'] }), undefined)).toBe(
      'TM_UPSTREAM: expected a https:// URL, got nothing (it is required)',
    );
  });
});

describe('env.urlList', () => {
  const field = env.urlList('TM_NATS_URL', { default: 'nats://127.0.0.1:4222', protocols: ['nats', 'tls'] });

  it('splits a comma-separated list, trimming entries', () => {
    expect(field.parse('nats://a:4222, tls://b:4222 ,nats://c')).toStrictEqual([
      'nats://a:4222',
      'tls://b:4222',
      'nats://c',
    ]);
  });

  it('applies the default as a list', () => {
    expect(field.parse(undefined)).toStrictEqual(['nats://127.0.0.1:4222']);
  });

  it.each(['foo', 'nats://a,http://b', ',,'])('refuses %j', (raw) => {
    expect(problemOf(field, raw)).toBe(
      `TM_NATS_URL: expected a comma-separated list of nats:// or tls:// URLs, got "${raw}"`,
    );
  });
});

describe('env.secret', () => {
  const value = 'correct-horse-battery-staple-0123456789';
  const field = env.secret('TM_JWT_SECRET', { default: 'dev-only', minLength: 32 });

  it('accepts a long enough secret and applies the default', () => {
    expect(field.parse(value)).toBe(value);
    expect(field.parse(undefined)).toBe('dev-only');
  });

  it('refuses a short secret without echoing it', () => {
    const problem = problemOf(field, 'short-secret-xyz');
    expect(problem).toBe(
      'TM_JWT_SECRET: expected a secret of at least 32 characters, got a value of 16 characters',
    );
    expect(problem).not.toContain('short-secret-xyz');
  });

  it('never shows its default', () => {
    expect(field.defaultText).toBe('(secret)');
    expect(field.expected).not.toContain('dev-only');
    expect(env.secret('TM_API_KEY').defaultText).toBeUndefined();
  });

  it('is required without a default', () => {
    expect(problemOf(env.secret('TM_API_KEY'), '')).toBe(
      'TM_API_KEY: expected a non-empty secret, got nothing (it is required)',
    );
  });
});

describe('env.json', () => {
  const Venues = z.array(
    z.object({ venue: z.string().min(1), rate: z.number().int().positive().default(100) }),
  );
  const field = env.json('TM_VENUES', Venues, { default: [{ venue: 'paper' }], expected: 'a JSON list' });

  it('parses, validates and applies the schema defaults', () => {
    expect(field.parse('[{"venue":"binance","rate":5}]')).toEqual([{ venue: 'binance', rate: 5 }]);
    expect(field.parse(undefined)).toEqual([{ venue: 'paper', rate: 100 }]);
    expect(field.defaultText).toBe('[{"venue":"paper"}]');
  });

  it('names the failing path of each problem', () => {
    expect(() => field.parse('[{"venue":"binance","rate":-1},{"venue":""}]')).toThrow(
      /TM_VENUES: expected a JSON list; 0\.rate: .*; 1\.venue: /,
    );
  });

  it('says when the value is not JSON at all', () => {
    expect(() => field.parse('[{venue')).toThrow(/TM_VENUES: expected a JSON list; it is not JSON/);
  });
});
