// What `npm start` runs: the seven services, their order, ports, instance ids and environment.
// Kept apart from the launcher so it can be tested without starting anything.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// ws-gateway first, so it gets TM_PORT_BASE itself (7400 by default).
export const SERVICE_NAMES = [
  'ws-gateway',
  'aggregator',
  'persister',
  'flow-engine',
  'fix-server',
  'venue-connectors',
  'observability',
];

/**
 * Node options per service. The persister holds each batch's rows in the young generation until they
 * commit: a 32 MB semi-space keeps them out of old-space copies (bench/persister: ~+10% rows/s).
 */
export const NODE_ARGS = { persister: ['--max-semi-space-size=32'] };

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/tm';
export const DEFAULT_PORT_BASE = 7400;

export class FleetConfigError extends Error {
  code = 'FLEET_CONFIG_INVALID';
}

const TAG_WIDTH = Math.max(...SERVICE_NAMES.map((name) => name.length));

export function infraUrls(env) {
  return {
    natsUrl: env.TM_NATS_URL || DEFAULT_NATS_URL,
    databaseUrl: env.TM_DATABASE_URL || DEFAULT_DATABASE_URL,
  };
}

function portBase(env) {
  if (!env.TM_PORT_BASE) return DEFAULT_PORT_BASE;
  const base = Number(env.TM_PORT_BASE);
  const highest = 65535 - (SERVICE_NAMES.length - 1);
  if (!Number.isInteger(base) || base < 1 || base > highest) {
    throw new FleetConfigError(
      `tm: TM_PORT_BASE must be a whole number from 1 to ${highest} (the services take ${SERVICE_NAMES.length} ports from it), got "${env.TM_PORT_BASE}"`,
    );
  }
  return base;
}

/** One entry per service: what to run (`node <nodeArgs> <main>`), its log tag, HTTP port and environment. */
export function fleetPlan(env, root = ROOT) {
  const base = portBase(env);
  const { natsUrl, databaseUrl } = infraUrls(env);
  const suffix = env.TM_INSTANCE_SUFFIX || '1';
  return SERVICE_NAMES.map((name, index) => ({
    name,
    tag: name.padEnd(TAG_WIDTH),
    port: base + index,
    main: join(root, 'services', name, 'dist', 'main.js'),
    nodeArgs: NODE_ARGS[name] ?? [],
    env: {
      ...env,
      TM_NATS_URL: natsUrl,
      TM_DATABASE_URL: databaseUrl,
      TM_INSTANCE_ID: `${name}-${suffix}`,
      TM_HTTP_PORT: String(base + index),
    },
  }));
}
