import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DEFAULT_SUBJECT_ROOT, isValidSubjectRoot } from '@tm/contracts';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.exception.js';
import { describeConfig, loadConfig } from './load-config.js';
import { platformConfigSpec } from './platform-config.js';
import { PRODUCT_DEFAULTS } from './product-defaults.js';

describe('platformConfigSpec', () => {
  it('gives the documented defaults from an empty environment', () => {
    const { instanceId, ...rest } = loadConfig(platformConfigSpec, {});
    expect(rest).toStrictEqual({
      natsServers: ['nats://127.0.0.1:4222'],
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/tm',
      subjectRoot: 'tm',
      environment: 'development',
      logLevel: 'info',
      beaconIntervalMs: 10_000,
      snapshotIntervalMs: 60_000,
      staleAfterMs: 30_000,
      drainTimeoutMs: 15_000,
      dependencyCheckMs: 2_000,
      natsPingIntervalMs: 2_000,
      natsMaxPingOut: 2,
      natsReconnectWaitMs: 250,
      natsReconnectJitterMs: 250,
    });
    expect(instanceId).toBe(`${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, '-'));
    expect(instanceId).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('takes its liveness and drain defaults from PRODUCT_DEFAULTS', () => {
    const config = loadConfig(platformConfigSpec, {});
    expect(config.beaconIntervalMs).toBe(PRODUCT_DEFAULTS.beaconIntervalMs);
    expect(config.snapshotIntervalMs).toBe(PRODUCT_DEFAULTS.heartbeatSnapshotMs);
    expect(config.staleAfterMs).toBe(PRODUCT_DEFAULTS.staleAfterMs);
    expect(config.drainTimeoutMs).toBe(PRODUCT_DEFAULTS.drainTimeoutMs);
  });

  it('reads every variable of the contract', () => {
    const config = loadConfig(platformConfigSpec, {
      TM_NATS_URL: 'nats://n1:4222,tls://n2:4222',
      TM_DATABASE_URL: 'postgresql://app:pw@db:5432/prod',
      TM_SUBJECT_ROOT: 'run42',
      TM_INSTANCE_ID: 'aggregator-0',
      TM_ENV: 'production',
      TM_LOG_LEVEL: 'debug',
      TM_BEACON_INTERVAL: '5s',
      TM_SNAPSHOT_INTERVAL: '1m',
      TM_STALE_AFTER: '20s',
      TM_DRAIN_TIMEOUT: '0',
      TM_DEPENDENCY_CHECK_INTERVAL: '500ms',
      TM_NATS_PING_INTERVAL: '1s',
      TM_NATS_MAX_PING_OUT: '3',
      TM_NATS_RECONNECT_WAIT: '100',
      TM_NATS_RECONNECT_JITTER: '50ms',
    });
    expect(config).toStrictEqual({
      natsServers: ['nats://n1:4222', 'tls://n2:4222'],
      databaseUrl: 'postgresql://app:pw@db:5432/prod',
      subjectRoot: 'run42',
      instanceId: 'aggregator-0',
      environment: 'production',
      logLevel: 'debug',
      beaconIntervalMs: 5_000,
      snapshotIntervalMs: 60_000,
      staleAfterMs: 20_000,
      drainTimeoutMs: 0,
      dependencyCheckMs: 500,
      natsPingIntervalMs: 1_000,
      natsMaxPingOut: 3,
      natsReconnectWaitMs: 100,
      natsReconnectJitterMs: 50,
    });
  });

  it('refuses bad values, one problem per variable', () => {
    let error: unknown;
    try {
      loadConfig(platformConfigSpec, {
        TM_NATS_URL: 'foo',
        TM_SUBJECT_ROOT: 'TM.root',
        TM_INSTANCE_ID: 'a.b',
        TM_ENV: 'prod',
        TM_BEACON_INTERVAL: '0',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.split(':')[0])).toStrictEqual([
      'TM_NATS_URL',
      'TM_SUBJECT_ROOT',
      'TM_INSTANCE_ID',
      'TM_ENV',
      'TM_BEACON_INTERVAL',
    ]);
    expect((error as ConfigError).problems[0]).toBe(
      'TM_NATS_URL: expected a comma-separated list of nats:// or tls:// URLs, got "foo"',
    );
  });

  it('accepts exactly the subject roots that @tm/contracts accepts', () => {
    expect(loadConfig(platformConfigSpec, {}).subjectRoot).toBe(DEFAULT_SUBJECT_ROOT);
    for (const root of ['tm', 'a', 't0123456789abcde', 't0123456789abcdef', '1tm', 'Tm', 'tm-x', 'tm.x']) {
      const accepted = () => platformConfigSpec.subjectRoot.parse(root);
      if (isValidSubjectRoot(root)) expect(accepted, root).not.toThrow();
      else expect(accepted, root).toThrow(ConfigError);
    }
  });

  it('is described in README.md exactly as describeConfig prints it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const row of describeConfig(platformConfigSpec)) {
      expect(readme).toContain(
        `| \`${row.variable}\` | ${row.expected} | ${row.default === undefined ? 'required' : `\`${row.default}\``} |`,
      );
    }
  });
});
