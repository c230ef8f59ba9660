// `npm start`: builds, makes sure NATS and PostgreSQL answer, then runs the seven services as
// child processes with one tagged log stream, restarting any that dies, until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { FleetConfigError, ROOT, fleetPlan, infraUrls } from './fleet-plan.mjs';
import { InfraUnavailableError, ensureDatabase, ensureNats, ensurePostgres } from './infra.mjs';

const GUARD = pathToFileURL(join(ROOT, 'deploy/local/launcher-guard.mjs')).href;
const READY_WAIT_MS = 60_000;
const STOP_GRACE_MS = 20_000;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 10_000;
// A service that stayed up this long before dying starts its backoff from the beginning again.
const STABLE_UPTIME_MS = 30_000;

const log = (line) => console.log(`tm: ${line}`);

const services = []; // { spec, child, startedAt, backoffMs, restartTimer }
let nats = null;
let shuttingDown = false;

function isAlive(child) {
  return child !== null && child.exitCode === null && child.signalCode === null;
}

// Each child leads its own process group (detached), so signal the group: grandchildren too.
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function pipeLines(stream, out, tag) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) =>
    out.write(`${tag} | ${line}\n`),
  );
}

function launch(service) {
  const { spec } = service;
  // Detached: Ctrl-C reaches only the launcher, which then sends each service exactly one SIGTERM;
  // the guard and its IPC channel stop the service should the launcher die without doing so.
  const child = spawn(process.execPath, [...spec.nodeArgs, '--import', GUARD, spec.main], {
    cwd: ROOT,
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  service.child = child;
  service.startedAt = Date.now();
  service.exited = new Promise((resolve) => child.once('exit', resolve));
  pipeLines(child.stdout, process.stdout, spec.tag);
  pipeLines(child.stderr, process.stderr, spec.tag);
  child.on('error', (error) => log(`${spec.name} could not be started: ${error.message}`));
  child.on('exit', (code, signal) => onExit(service, code, signal));
}

function onExit(service, code, signal) {
  if (shuttingDown) return;
  const { spec } = service;
  if (Date.now() - service.startedAt >= STABLE_UPTIME_MS) service.backoffMs = FIRST_BACKOFF_MS;
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  log(`${spec.name} died unexpectedly (${how}); restarting it in ${service.backoffMs / 1000} s`);
  service.restartTimer = setTimeout(() => {
    service.restartTimer = null;
    if (!shuttingDown) launch(service);
  }, service.backoffMs);
  service.backoffMs = Math.min(service.backoffMs * 2, MAX_BACKOFF_MS);
}

function isReady(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/ready', timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

async function announceWhenReady() {
  const pending = new Set(services.map((service) => service.spec));
  const deadline = Date.now() + READY_WAIT_MS;
  while (pending.size > 0 && Date.now() < deadline && !shuttingDown) {
    await Promise.all(
      [...pending].map(async (spec) => {
        if (await isReady(spec.port)) pending.delete(spec);
      }),
    );
    if (pending.size > 0) await sleep(500);
  }
  if (shuttingDown) return;
  const gateway = `gateway http://127.0.0.1:${services[0].spec.port}`;
  if (pending.size === 0) {
    console.log(`tm-engine is up: ${gateway}  (Ctrl-C stops everything)`);
  } else {
    const names = [...pending].map((spec) => `${spec.name} (:${spec.port})`).join(', ');
    log(`not ready after ${READY_WAIT_MS / 1000} s: ${names}; the fleet keeps running (see the logs above)`);
    console.log(`tm-engine is partly up: ${gateway}  (Ctrl-C stops everything)`);
  }
}

async function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  const alive = services.filter((service) => isAlive(service.child));
  log(`${signal}: stopping ${alive.length} services (each drains for up to 15 s)`);
  for (const service of services) clearTimeout(service.restartTimer ?? undefined);
  for (const service of alive) signalGroup(service.child, 'SIGTERM');
  const allExited = Promise.all(alive.map((service) => service.exited));
  if (await Promise.race([allExited.then(() => false), sleep(STOP_GRACE_MS, true)])) {
    const stuck = alive.filter((service) => isAlive(service.child));
    log(
      `killing ${stuck.map((service) => service.spec.name).join(', ')}: still running after ${STOP_GRACE_MS / 1000} s`,
    );
    for (const service of stuck) signalGroup(service.child, 'SIGKILL');
    await allExited;
  }
  await nats?.stop();
  log('everything stopped');
  process.exit(0);
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--no-build');
  if (unknown.length > 0) {
    console.error(`tm: unknown option ${unknown[0]} (the only option is --no-build)`);
    process.exit(2);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(signal));
  // A closed terminal or pipe must not crash the launcher halfway through stopping the fleet.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

  const plan = fleetPlan(process.env);
  if (!args.includes('--no-build')) {
    const build = spawnSync(process.execPath, [join(ROOT, 'deploy/build/build.mjs')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (build.status !== 0) {
      console.error('tm: the build failed (see above): fix it, or run the last build with --no-build');
      process.exit(1);
    }
  }
  const missing = plan.filter((spec) => !existsSync(spec.main));
  if (missing.length > 0) {
    const files = missing.map((spec) => relative(ROOT, spec.main)).join(', ');
    console.error(`tm: ${files} missing: run "npm run build" (or npm start without --no-build)`);
    process.exit(1);
  }

  const { natsUrl, databaseUrl } = infraUrls(process.env);
  nats = await ensureNats(natsUrl, { storeDir: join(ROOT, '.tm-local', 'nats'), startIfMissing: true });
  if (shuttingDown) return;
  await ensurePostgres(databaseUrl);
  await ensureDatabase(databaseUrl);
  if (shuttingDown) return;

  for (const spec of plan) {
    const service = { spec, child: null, backoffMs: FIRST_BACKOFF_MS, restartTimer: null };
    services.push(service);
    launch(service);
  }
  log(`started ${plan.map((spec) => `${spec.name} :${spec.port}`).join(', ')}`);
  await announceWhenReady();
}

main().catch(async (error) => {
  if (error instanceof InfraUnavailableError || error instanceof FleetConfigError) {
    console.error(error.message);
  } else {
    console.error(`tm: the launcher failed: ${error.stack ?? error}`);
  }
  await nats?.stop();
  process.exit(1);
});
