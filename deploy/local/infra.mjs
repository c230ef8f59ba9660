// Makes sure NATS and PostgreSQL answer before the fleet or the tests start: uses them when they
// are up, starts them when they are installed, installs them (Debian, as root) when they are not,
// and otherwise stops with one line saying what to do.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export class InfraUnavailableError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'InfraUnavailableError';
    this.code = code;
  }
}

const NATS_START_TIMEOUT_MS = 10_000;
const NATS_STOP_TIMEOUT_MS = 5_000;
const POSTGRES_START_TIMEOUT_MS = 30_000;

const log = (line) => console.log(`tm: ${line}`);

// The first server of a list is enough: it is the one started here when none answers.
function endpoint(url, defaultPort) {
  let parsed;
  try {
    parsed = new URL(url.split(',')[0].trim());
  } catch {
    throw new InfraUnavailableError('INFRA_URL_INVALID', `tm: "${url}" is not a URL (scheme://host:port)`);
  }
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || defaultPort) };
}

function isLoopback(host) {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

// Debian puts nats-server in /usr/sbin, which a non-root PATH often lacks.
function findExecutable(name) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return null;
}

function lastLine(text) {
  return (
    String(text ?? '')
      .trim()
      .split('\n')
      .pop() ?? ''
  );
}

function aptInstall(pkg) {
  if (process.getuid?.() !== 0 || !findExecutable('apt-get')) return false;
  log(`${pkg} is not installed: installing it with apt-get (this can take a minute)`);
  const apt = (...args) =>
    spawnSync('apt-get', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  let result = apt('install', '-y', '-q', pkg);
  if (result.status !== 0) {
    const update = apt('update', '-q');
    if (update.status === 0) result = apt('install', '-y', '-q', pkg);
  }
  if (result.status !== 0) {
    log(`apt-get install ${pkg} failed: ${lastLine(result.stderr || result.stdout)}`);
    return false;
  }
  log(`installed ${pkg} with apt-get`);
  return true;
}

// ---------------------------------------------------------------------------------------- NATS

/** 'nats' when the port answers with a NATS INFO line, 'closed' when nothing listens, else 'foreign'. */
function probeNats(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let received = '';
    let connected = false;
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.on('connect', () => (connected = true));
    socket.setTimeout(2_000, () => done(connected ? 'foreign' : 'closed'));
    socket.on('data', (chunk) => {
      received += chunk;
      if (received.includes('\n')) done(received.startsWith('INFO {') ? 'nats' : 'foreign');
    });
    socket.on('error', () => done('closed'));
    socket.on('close', () => done(connected ? 'foreign' : 'closed'));
  });
}

function natsUnavailable(url, why, fix) {
  const detail = why ? ` ${why}` : '';
  return new InfraUnavailableError(
    'NATS_UNAVAILABLE',
    `tm: NATS is not reachable at ${url}${detail}: ${fix}`,
  );
}

async function startNatsServer(binary, host, port, storeDir, url) {
  mkdirSync(storeDir, { recursive: true });
  // Its own process group: a Ctrl-C to the terminal must not stop NATS before the services drain.
  const child = spawn(binary, ['-a', host, '-p', String(port), '-js', '-sd', storeDir], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderrTail = (stderrTail + chunk).slice(-4_000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const deadline = Date.now() + NATS_START_TIMEOUT_MS;
  while (child.exitCode === null && child.signalCode === null) {
    if ((await probeNats(host, port)) === 'nats') break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw natsUnavailable(
        url,
        '(the nats-server it started did not accept connections within 10 s)',
        lastLine(stderrTail) || 'start NATS by hand or set TM_NATS_URL',
      );
    }
    await sleep(100);
  }
  if (child.exitCode !== null || child.signalCode !== null) {
    process.off('exit', killOnExit);
    throw natsUnavailable(
      url,
      `(nats-server exited with ${child.exitCode ?? child.signalCode})`,
      lastLine(stderrTail) || 'see nats-server --help',
    );
  }
  log(`started nats-server (pid ${child.pid}) on ${host}:${port} with JetStream in ${storeDir}`);

  return async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(NATS_STOP_TIMEOUT_MS, true)]);
      if (timedOut) child.kill('SIGKILL');
      await exited;
    }
    process.off('exit', killOnExit);
    log(`stopped the nats-server it had started (pid ${child.pid})`);
  };
}

/**
 * Returns `{ started, stop }`: `started` is true when this call launched nats-server, and `stop()`
 * stops that server (a no-op when NATS was already running).
 */
export async function ensureNats(url, { storeDir, startIfMissing = true }) {
  const { host, port } = endpoint(url, 4222);
  const state = await probeNats(host, port);
  if (state === 'nats') {
    log(`NATS is up at ${url}`);
    return { started: false, stop: async () => {} };
  }
  if (state === 'foreign') {
    throw natsUnavailable(url, '(something else listens on that port)', 'free the port or set TM_NATS_URL');
  }
  if (!startIfMissing || !isLoopback(host)) {
    throw natsUnavailable(url, '', 'start NATS (with -js) there or set TM_NATS_URL');
  }
  const binary =
    findExecutable('nats-server') ?? (aptInstall('nats-server') && findExecutable('nats-server'));
  if (!binary) {
    throw natsUnavailable(
      url,
      'and nats-server is not installed',
      'run "sudo apt-get install -y nats-server" or set TM_NATS_URL',
    );
  }
  const stop = await startNatsServer(binary, host, port, storeDir, url);
  return { started: true, stop };
}

// ---------------------------------------------------------------------------------- PostgreSQL

/** 'up', or 'down' with the reason; refusals that starting a server cannot fix are thrown. */
async function probePostgres(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { up: true };
  } catch (error) {
    const sqlState = /^[0-9A-Z]{5}$/.test(error.code ?? '') ? error.code : null;
    // 3D000: the server answers, only the database is missing (the launcher creates it).
    if (sqlState === '3D000') return { up: true };
    // No SQLSTATE: no PostgreSQL answered (except a password the URL lacks); 57P03: starting up.
    const refused = sqlState !== null || /password|SASL/i.test(error.message);
    if (!refused || sqlState === '57P03') return { up: false, reason: error.message || error.code };
    const { host, port } = endpoint(url, 5432);
    const user = decodeURIComponent(new URL(url).username) || 'the default user';
    throw new InfraUnavailableError(
      'POSTGRES_REFUSED',
      `tm: PostgreSQL at ${host}:${port} refused ${user} (${error.message}): allow it in pg_hba.conf or set TM_DATABASE_URL`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

function localClusters() {
  const listed = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  if (listed.status !== 0) return [];
  return listed.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [version, name, port, status] = line.trim().split(/\s+/);
      return { version, name, port: Number(port), status };
    });
}

function pgCtlCluster(cluster, action) {
  const result = spawnSync('pg_ctlcluster', [cluster.version, cluster.name, action], { encoding: 'utf8' });
  return result.status === 0 ? null : lastLine(result.stderr || result.stdout) || `exit ${result.status}`;
}

// A cluster this script just installed only allows passwords over TCP; the dev URLs connect as
// postgres without one, so loopback connections are trusted, as on the project's machines.
function trustLoopback(cluster) {
  const hbaPath = `/etc/postgresql/${cluster.version}/${cluster.name}/pg_hba.conf`;
  const rules = 'host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n';
  writeFileSync(
    hbaPath,
    `# added by tm-engine deploy/local/infra.mjs\n${rules}${readFileSync(hbaPath, 'utf8')}`,
  );
  log(`allowed loopback connections without a password in ${hbaPath}`);
}

async function waitForPostgres(url) {
  const deadline = Date.now() + POSTGRES_START_TIMEOUT_MS;
  let state = await probePostgres(url);
  while (!state.up && Date.now() < deadline) {
    await sleep(250);
    state = await probePostgres(url);
  }
  return state;
}

/** Resolves once `SELECT 1` works at `url` (a missing database counts as reachable). */
export async function ensurePostgres(url) {
  const { host, port } = endpoint(url, 5432);
  const first = await probePostgres(url);
  if (first.up) {
    log(`PostgreSQL is up at ${host}:${port}`);
    return;
  }
  const unavailable = (why, fix) =>
    new InfraUnavailableError(
      'POSTGRES_UNAVAILABLE',
      `tm: PostgreSQL is not reachable at ${host}:${port} ${why}: ${fix}`,
    );
  if (!isLoopback(host)) throw unavailable(`(${first.reason})`, 'start it there or set TM_DATABASE_URL');

  let installedNow = false;
  if (!findExecutable('pg_lsclusters')) {
    if (!aptInstall('postgresql')) {
      throw unavailable(
        'and PostgreSQL is not installed',
        'run "sudo apt-get install -y postgresql" or set TM_DATABASE_URL',
      );
    }
    installedNow = true;
  }
  const cluster = localClusters().find((candidate) => candidate.port === port);
  if (!cluster) {
    throw unavailable(
      `and no local cluster uses port ${port} (pg_lsclusters)`,
      `create one with "sudo pg_createcluster <version> main -p ${port} --start" or set TM_DATABASE_URL`,
    );
  }
  const label = `${cluster.version}/${cluster.name}`;
  if (!cluster.status.startsWith('down') && !installedNow) {
    throw unavailable(
      `although cluster ${label} is ${cluster.status} (${first.reason})`,
      `check listen_addresses in /etc/postgresql/${cluster.version}/${cluster.name}/postgresql.conf or set TM_DATABASE_URL`,
    );
  }
  if (installedNow) trustLoopback(cluster);
  const action = cluster.status.startsWith('down') ? 'start' : 'reload';
  const failure = pgCtlCluster(cluster, action);
  if (failure) {
    throw unavailable(
      `(pg_ctlcluster ${label} failed: ${failure})`,
      `see /var/log/postgresql/postgresql-${cluster.version}-${cluster.name}.log`,
    );
  }
  log(`${action === 'start' ? 'started' : 'reloaded'} PostgreSQL cluster ${label}`);
  const state = await waitForPostgres(url);
  if (!state.up) {
    throw unavailable(
      `although cluster ${label} started (${state.reason})`,
      `see /var/log/postgresql/postgresql-${cluster.version}-${cluster.name}.log`,
    );
  }
  log(`PostgreSQL is up at ${host}:${port}`);
}

function quoteIdentifier(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Creates the database named in `url` (through the `postgres` admin database) when missing. */
export async function ensureDatabase(url) {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!database) return;
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return;
    await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    log(`created database ${database}`);
  } catch (error) {
    if (error.code === '42P04') return; // created meanwhile by someone else
    throw new InfraUnavailableError(
      'DATABASE_UNAVAILABLE',
      `tm: could not create database "${database}" (${error.message}): create it by hand or set TM_DATABASE_URL`,
    );
  } finally {
    await admin.end().catch(() => {});
  }
}
