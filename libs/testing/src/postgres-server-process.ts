import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readdir, readlink, realpath, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const START_TIMEOUT_MS = 20_000;
const RELEASE_TIMEOUT_MS = 10_000;
const STDERR_LINES = 20;

interface Owner {
  uid: number;
  gid: number;
}

/**
 * `pg_config --bindir` first; Debian ships pg_config with libpq-dev, which may name a version whose
 * server is not installed, so every candidate must hold initdb, else the newest Debian cluster dir.
 */
function postgresBinDir(): string {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: 'pipe' }).trim());
  } catch {
    // pg_config is not on PATH: the Debian layout below still finds the server.
  }
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(debianRoot, version, 'bin')));
  }
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')));
  if (!found) {
    throw new Error('PostgreSQL server binaries are not installed: run "sudo apt-get install -y postgresql"');
  }
  return found;
}

/** initdb and postgres refuse to run as root, so a root test runs them as the `postgres` user. */
function serverOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }));
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root needs the "postgres" user: run "sudo apt-get install -y postgresql"');
  }
}

/**
 * A private PostgreSQL cluster (its own data directory and port) that a test can stop, crash and
 * restart, to prove what survives a server restart without touching the shared server on 5432.
 */
export class PostgresServerProcess {
  private child: ChildProcess | undefined;
  private stderrTail: string[] = [];

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly binDir: string,
    private readonly owner: Owner | undefined,
  ) {}

  /** Creates a fresh cluster (initdb) in a temp directory and starts it. */
  static async start(): Promise<PostgresServerProcess> {
    const binDir = postgresBinDir();
    const owner = serverOwner();
    // The real path, because orphaned backends are found by their working directory.
    const dataDir = await realpath(await mkdtemp(join(tmpdir(), 'tm-pg-')));
    const server = new PostgresServerProcess(await freePort(), dataDir, binDir, owner);
    try {
      if (owner) await chown(dataDir, owner.uid, owner.gid);
      await server.initdb();
      await server.restart();
    } catch (error) {
      await server.dispose();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Starts (again) on the same port and data directory, and waits until it answers a query. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('postgres is already running');
    await this.waitUntilReleased();
    this.stderrTail = [];
    const child = spawn(
      join(this.binDir, 'postgres'),
      [
        ['-D', this.dataDir],
        ['-p', String(this.port)],
        ['-k', this.dataDir],
        ['-c', 'listen_addresses=127.0.0.1'],
        // A test kills the server, never the machine: every write() stays in the page cache, so
        // fsync and torn-page protection only cost time. synchronous_commit stays on, though: off, a
        // commit is acknowledged before its WAL is written and a crash would lose it.
        ['-c', 'fsync=off'],
        ['-c', 'full_page_writes=off'],
      ].flat(),
      { cwd: this.dataDir, stdio: ['ignore', 'ignore', 'pipe'], ...this.owner },
    );
    this.child = child;
    let exit: string | undefined;
    child.once('exit', (code, signal) => {
      exit = signal ? `signal ${signal}` : `code ${code}`;
      if (this.child === child) this.child = undefined;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail.push(...chunk.split('\n').filter(Boolean));
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - STDERR_LINES));
    });

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (exit) throw new Error(`postgres exited (${exit}) before accepting connections${this.tail()}`);
      // Recovery after a crash refuses connections ("starting up") until it is done: keep polling.
      if ((await acceptsTcp(this.port)) && (await answersQuery(this.url))) return;
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`postgres did not accept connections on port ${this.port} in time${this.tail()}`);
      }
      await sleep(50);
    }
  }

  /** Fast shutdown (SIGINT): sessions are ended, a checkpoint is written, the server exits. */
  async stop(): Promise<void> {
    await this.kill('SIGINT');
  }

  /**
   * Immediate shutdown (SIGQUIT) by default, which is how PostgreSQL crashes: clients see their
   * connection die, nothing is checkpointed, and the next start runs crash recovery. SIGQUIT rather
   * than SIGKILL because a killed postmaster leaves its backends holding the shared memory; SIGKILL
   * still works, as waiting for those orphans is part of the wait for the cluster to be gone.
   */
  async kill(signal: NodeJS.Signals = 'SIGQUIT'): Promise<void> {
    const child = this.child;
    if (child) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
      this.child = undefined;
    }
    await this.waitUntilReleased();
  }

  async dispose(): Promise<void> {
    await this.kill();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async initdb(): Promise<void> {
    const args = [
      '-D',
      this.dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ];
    try {
      await promisify(execFile)(join(this.binDir, 'initdb'), args, { cwd: this.dataDir, ...this.owner });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new Error(`initdb failed in ${this.dataDir}: ${stderr.trim()}`);
    }
  }

  /**
   * Waits until no process of this cluster is left (orphaned backends of a killed postmaster exit
   * once they notice) and the port is free; only then is a leftover postmaster.pid stale for sure,
   * and removing it keeps a recycled pid from blocking the next start.
   */
  private async waitUntilReleased(): Promise<void> {
    const deadline = Date.now() + RELEASE_TIMEOUT_MS;
    let orphansKilled = false;
    for (;;) {
      const lingering = await processesWorkingIn(this.dataDir);
      if (lingering.length === 0 && (await portIsFree(this.port))) break;
      if (lingering.length > 0 && !orphansKilled && Date.now() > deadline - RELEASE_TIMEOUT_MS / 2) {
        for (const pid of lingering) signalQuietly(pid, 'SIGKILL');
        orphansKilled = true;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `postgres on port ${this.port} did not release it` +
            (lingering.length ? ` (processes ${lingering.join(', ')} still run in ${this.dataDir})` : ''),
        );
      }
      await sleep(50);
    }
    const stale = ['postmaster.pid', `.s.PGSQL.${this.port}`, `.s.PGSQL.${this.port}.lock`];
    await Promise.all(stale.map((name) => rm(join(this.dataDir, name), { force: true })));
  }

  private tail(): string {
    return this.stderrTail.length ? `:\n${this.stderrTail.join('\n')}` : '';
  }
}

/** Every server process chdirs to its data directory, so that finds the cluster's processes. */
async function processesWorkingIn(dir: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const pids = entries.filter((name) => /^\d+$/.test(name));
  const cwds = await Promise.all(pids.map((pid) => readlink(`/proc/${pid}/cwd`).catch(() => undefined)));
  return pids.filter((_, i) => cwds[i] === dir).map(Number);
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function answersQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
