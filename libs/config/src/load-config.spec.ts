import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.exception.js';
import { env } from './env.js';
import { describeConfig, loadConfig } from './load-config.js';

const spec = {
  port: env.port('TM_TEST_PORT', { default: 8080 }),
  tickMs: env.durationMs('TM_TEST_TICK', { default: 100, min: 1 }),
  servers: env.urlList('TM_TEST_NATS', { default: 'nats://127.0.0.1:4222', protocols: ['nats'] }),
  apiKey: env.secret('TM_TEST_API_KEY', { default: 'dev-key-not-for-production', minLength: 16 }),
};

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError was thrown');
}

describe('loadConfig', () => {
  it('reads every field from the source and types the result', () => {
    const config = loadConfig(spec, {
      TM_TEST_PORT: '9000',
      TM_TEST_TICK: '250ms',
      TM_TEST_NATS: 'nats://a:4222,nats://b:4222',
      TM_TEST_API_KEY: 'a-key-of-sixteen-plus',
    });
    expect(config).toStrictEqual({
      port: 9000,
      tickMs: 250,
      servers: ['nats://a:4222', 'nats://b:4222'],
      apiKey: 'a-key-of-sixteen-plus',
    });
  });

  it('applies defaults for unset and empty variables', () => {
    expect(loadConfig(spec, { TM_TEST_PORT: '' })).toStrictEqual({
      port: 8080,
      tickMs: 100,
      servers: ['nats://127.0.0.1:4222'],
      apiKey: 'dev-key-not-for-production',
    });
  });

  it('freezes the result and the lists in it', () => {
    const config = loadConfig(spec, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.servers)).toBe(true);
  });

  it('reports every problem together in one ConfigError, never echoing a secret', () => {
    const error = configErrorOf(() =>
      loadConfig(spec, {
        TM_TEST_PORT: 'http',
        TM_TEST_TICK: 'soon',
        TM_TEST_NATS: 'foo',
        TM_TEST_API_KEY: 'tiny-secret',
      }),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.problems).toStrictEqual([
      'TM_TEST_PORT: expected a TCP port between 0 and 65535 (0 picks any free port), got "http"',
      expect.stringMatching(/^TM_TEST_TICK: expected a duration .*, got "soon"$/),
      'TM_TEST_NATS: expected a comma-separated list of nats:// URLs, got "foo"',
      'TM_TEST_API_KEY: expected a secret of at least 16 characters, got a value of 11 characters',
    ]);
    expect(error.message).toBe(`invalid configuration:\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
    expect(error.message).not.toContain('tiny-secret');
  });

  it('lets an unexpected failure of a field through unchanged', () => {
    const broken = {
      x: {
        variable: 'TM_X',
        expected: 'x',
        defaultText: undefined,
        parse: () => {
          throw new RangeError('bug');
        },
      },
    };
    expect(() => loadConfig(broken, {})).toThrow(RangeError);
  });

  it('reads process.env when no source is given', () => {
    process.env['TM_TEST_PORT'] = '4321';
    try {
      expect(loadConfig(spec).port).toBe(4321);
    } finally {
      delete process.env['TM_TEST_PORT'];
    }
  });
});

describe('describeConfig', () => {
  it('lists each variable with its form and default, showing secrets as (secret)', () => {
    const rows = describeConfig(spec);
    expect(rows).toStrictEqual([
      { variable: 'TM_TEST_PORT', expected: spec.port.expected, default: '8080' },
      { variable: 'TM_TEST_TICK', expected: spec.tickMs.expected, default: '100ms' },
      {
        variable: 'TM_TEST_NATS',
        expected: 'a comma-separated list of nats:// URLs',
        default: 'nats://127.0.0.1:4222',
      },
      { variable: 'TM_TEST_API_KEY', expected: 'a secret of at least 16 characters', default: '(secret)' },
    ]);
    expect(JSON.stringify(rows)).not.toContain('dev-key-not-for-production');
  });
});
