import { describe, expect, it } from 'vitest';
import { FleetConfigError, SERVICE_NAMES, fleetPlan } from './fleet-plan.mjs';

describe('fleetPlan', () => {
  it('runs every service from its build, gateway first on the port base', () => {
    const plan = fleetPlan({}, '/repo');
    expect(plan.map((spec) => spec.name)).toEqual(SERVICE_NAMES);
    expect(plan[0]).toMatchObject({
      name: 'ws-gateway',
      port: 7400,
      main: '/repo/services/ws-gateway/dist/main.js',
    });
    expect(plan.map((spec) => spec.port)).toEqual([7400, 7401, 7402, 7403, 7404, 7405, 7406]);
    expect(new Set(plan.map((spec) => spec.tag.length)).size).toBe(1);
    expect(plan.find((spec) => spec.name === 'persister')?.nodeArgs).toEqual(['--max-semi-space-size=32']);
    expect(plan.find((spec) => spec.name === 'aggregator')?.nodeArgs).toEqual([]);
  });

  it('gives each service its infra URLs, instance id and port, and passes the rest of the environment', () => {
    const [gateway, aggregator] = fleetPlan({ TM_SUBJECT_ROOT: 'dev', HOME: '/root' }, '/repo');
    expect(aggregator.env).toEqual({
      TM_SUBJECT_ROOT: 'dev',
      HOME: '/root',
      TM_NATS_URL: 'nats://127.0.0.1:4222',
      TM_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/tm',
      TM_INSTANCE_ID: 'aggregator-1',
      TM_HTTP_PORT: '7401',
    });
    expect(gateway.env.TM_INSTANCE_ID).toBe('ws-gateway-1');
  });

  it('takes URLs, port base and instance suffix from the environment', () => {
    const env = {
      TM_NATS_URL: 'nats://10.0.0.5:4222',
      TM_DATABASE_URL: 'postgres://app@db/tm2',
      TM_PORT_BASE: '9000',
      TM_INSTANCE_SUFFIX: 'b',
    };
    const observability = fleetPlan(env, '/repo').at(-1);
    expect(observability.port).toBe(9006);
    expect(observability.env).toMatchObject({
      TM_NATS_URL: 'nats://10.0.0.5:4222',
      TM_DATABASE_URL: 'postgres://app@db/tm2',
      TM_INSTANCE_ID: 'observability-b',
      TM_HTTP_PORT: '9006',
    });
  });

  it('refuses a port base that is not a port or leaves no room for every service', () => {
    expect(() => fleetPlan({ TM_PORT_BASE: 'http' })).toThrow(FleetConfigError);
    expect(() => fleetPlan({ TM_PORT_BASE: '65530' })).toThrow(
      /TM_PORT_BASE must be a whole number from 1 to 65529/,
    );
  });
});
