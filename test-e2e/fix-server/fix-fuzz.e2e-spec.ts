// fix-server under 10,000 random and mutated FIX messages (a seeded corpus): strangers' connections
// before any logon, then a logged-on session streaming fuzz; the server must keep running, stay ready,
// keep serving another client's session undisturbed, and let the fuzzed client log on cleanly again.
import { createConnection, type Socket } from 'node:net';
import { expectEventually, uniqueSubjectRoot } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ownDatabase, type OwnDatabase } from '../fleet/own-database.js';
import { FixFuzzCorpus, fixTime, frameFix, type FuzzMessage } from './fix-fuzz-corpus.js';
import { CLIENT_PASSWORD, FixServerProcess } from './fix-server-process.js';
import { FixTestClient } from './fix-test-client.js';

/** Replay a failure with `TM_FIX_FUZZ_SEED=<seed>`. */
const SEED = Number(process.env['TM_FIX_FUZZ_SEED'] ?? 20_240_611);
const TOTAL_MESSAGES = 10_000;
const PRE_LOGON_CONNECTIONS = 640;
const PARALLEL_CONNECTIONS = 32;
const CHECK_EVERY = 1_000;
/** A refused Logon costs the server a bcrypt compare (~0.25 s): only a few strangers get that far. */
const BOGUS_LOGON_SHARE = 0.02;

/** A write the server has not taken in this long counts as a stalled connection. */
const STALL_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw TCP connection to the acceptor: what we write is not FIX-checked on our side at all. */
class RawFixConnection {
  private readonly chunks: Buffer[] = [];
  closed = false;
  stalled = false;
  readonly ended: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    // A reset from the server is an ended connection, not a test error.
    socket.on('error', () => undefined);
    this.ended = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawFixConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawFixConnection(socket));
      });
    });
  }

  /** Everything received so far, as text. */
  get text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  /** Writes `bytes`, in `pieces` writes; waits for the socket to drain. False if the connection is gone. */
  async write(bytes: Buffer, pieces = 1): Promise<boolean> {
    let at = 0;
    for (let piece = 1; piece <= pieces; piece++) {
      if (this.closed || this.socket.destroyed) return false;
      const end = piece === pieces ? bytes.length : Math.floor((bytes.length * piece) / pieces);
      const flushed = this.socket.write(bytes.subarray(at, end));
      at = end;
      if (!flushed) {
        const drained = await Promise.race([
          new Promise<boolean>((resolve) => this.socket.once('drain', () => resolve(true))),
          this.ended.then(() => true),
          sleep(STALL_MS).then(() => false),
        ]);
        // The server neither reads nor closes: note it, and give up this connection.
        if (!drained) {
          this.stalled = true;
          this.socket.destroy();
          return false;
        }
      }
    }
    return !this.closed;
  }

  end(): void {
    this.socket.end();
  }

  reset(): void {
    this.socket.resetAndDestroy();
  }

  async close(): Promise<void> {
    this.socket.end();
    await Promise.race([this.ended, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    this.socket.destroy();
  }
}

describe('fix-server under fuzzing', () => {
  let database: OwnDatabase;
  let server: FixServerProcess;
  let calm: FixTestClient;
  const root = uniqueSubjectRoot();
  const counts = { preLogon: 0, preLogonConnections: 0, inSession: 0, inSessionLogons: 0, checkpoints: 0 };
  const kinds = new Map<string, number>();
  let lastKind = '';
  let nextCheckpoint = CHECK_EVERY;

  /** Server log lines at error level or about lost state, by message: reported with the counts. */
  const notable = new Map<string, number>();
  const scanned = new WeakSet<object>();
  function scanServerLog(): void {
    for (const line of server.process.lines) {
      if (scanned.has(line)) continue;
      scanned.add(line);
      if (
        line.raw.includes('"level":"error"') ||
        /store write failed|resend failed|desk failed/.test(line.msg)
      )
        notable.set(
          line.msg || line.raw.slice(0, 120),
          (notable.get(line.msg || line.raw.slice(0, 120)) ?? 0) + 1,
        );
    }
  }

  const total = () => counts.preLogon + counts.inSession;
  /** What a failure message carries: the seed to replay it, how far the run got, the server's last words. */
  const context = (what: string) =>
    `${what} (seed ${SEED}, message ${total()}, last kind ${lastKind})\n${server.process.tail(30)}`;

  function tally(message: FuzzMessage): void {
    lastKind = message.kind;
    const kind = message.kind.startsWith('mutated:') ? message.kind : message.kind.split('/')[0]!;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }

  /** The server runs, is ready, and CALM's session answers a TestRequest as if nothing happened. */
  async function checkpoint(): Promise<void> {
    counts.checkpoints += 1;
    scanServerLog();
    expect(server.process.running, context('fix-server exited')).toBe(true);
    expect(await server.readyStatus(), context('/ready')).toBe(200);
    const testReqId = `calm-${SEED}-${counts.checkpoints}`;
    calm.send('1', { TestReqID: testReqId });
    await expectEventually(
      () =>
        expect(
          calm.of('0').some((hb) => hb['TestReqID'] === testReqId),
          context(`CALM got no Heartbeat for ${testReqId}`),
        ).toBe(true),
      10_000,
    );
    expect(calm.stopped, context('CALM session stopped')).toBe(false);
  }

  /** CALM's session state is whole too: a ResendRequest it sends is answered (from PostgreSQL). */
  async function calmResendAnswered(): Promise<void> {
    const before = calm.of('4').length;
    calm.forgetReceived(1);
    calm.send('1', { TestReqID: `calm-gap-${SEED}` });
    await expectEventually(
      () => expect(calm.of('4').length, context('CALM ResendRequest not answered')).toBeGreaterThan(before),
      10_000,
    );
  }

  async function checkpointIfDue(): Promise<void> {
    if (total() < nextCheckpoint) return;
    nextCheckpoint += CHECK_EVERY;
    await checkpoint();
  }

  beforeAll(async () => {
    database = await ownDatabase(inject('databaseUrl'), 'fix_fuzz');
    const ports = await FixServerProcess.freePorts();
    server = await FixServerProcess.start(
      {
        natsUrl: inject('natsUrl'),
        databaseUrl: database.url,
        root,
        // No flow engine here: orders that get through fail fast rather than waiting 5 s each. Every
        // connection comes from 127.0.0.1: the failed-logon throttle would refuse FUZZ after the strangers.
        extra: {
          TM_FIX_FLOW_TIMEOUT: '200ms',
          TM_FIX_MD_SNAPSHOT_TIMEOUT: '100ms',
          TM_FIX_LOGON_MAX_FAILURES: '100000',
        },
      },
      ports,
    );
    // FUZZ may send as fast as it likes, so its messages reach the desks rather than the rate limit.
    await server.createClient('FUZZ', { maxMessagesPerSecond: 100_000, allowedAccounts: ['ACC-1'] });
    await server.createClient('CALM');
    calm = new FixTestClient({ port: ports.tcp, senderCompId: 'CALM', password: CLIENT_PASSWORD });
    await calm.connect();
    await expectEventually(() => expect(calm.of('A')).toHaveLength(1), 10_000);
  }, 60_000);

  afterAll(async () => {
    await calm?.close();
    await server?.process.dispose();
    await database?.drop();
  });

  it(`survives ${TOTAL_MESSAGES} random and mutated messages without a crash or a corrupted session`, async () => {
    const tcp = server.ports.tcp;

    // 1. Strangers: short connections sending anything at all, some with a well-formed but bogus Logon.
    async function stranger(index: number): Promise<void> {
      const corpus = new FixFuzzCorpus((SEED + index * 7_919) >>> 0);
      const r = corpus.random;
      const messages: FuzzMessage[] = [];
      if (r.chance(BOGUS_LOGON_SHARE)) messages.push(corpus.bogusLogon('FUZZ'));
      for (let n = r.int(1, 12); n > 0; n--) messages.push(corpus.preLogon(r.pick(['FUZZ', 'CALM'])));
      const connection = await RawFixConnection.open(tcp).catch((error: Error) => {
        const why = server.process.running ? error.message : 'fix-server exited';
        throw new Error(context(`stranger ${index} cannot connect: ${why}`));
      });
      counts.preLogonConnections += 1;
      for (const message of messages) {
        tally(message);
        counts.preLogon += 1;
        if (!(await connection.write(message.bytes, r.chance(0.2) ? r.int(2, 6) : 1))) break;
      }
      const ending = r.weighted<'end' | 'reset' | 'linger'>([
        ['end', 6],
        ['reset', 2],
        ['linger', 2],
      ]);
      if (ending === 'reset') connection.reset();
      else {
        if (ending === 'linger') await sleep(r.int(50, 400));
        await connection.close();
      }
    }
    for (let first = 0; first < PRE_LOGON_CONNECTIONS; first += PARALLEL_CONNECTIONS) {
      const wave = Array.from(
        { length: Math.min(PARALLEL_CONNECTIONS, PRE_LOGON_CONNECTIONS - first) },
        (_, i) => stranger(first + i),
      );
      await Promise.all(wave);
      await checkpointIfDue();
    }

    // 2. FUZZ logs on over a raw socket (a Logon we build ourselves), then streams fuzz; when the server
    //    ends the session (a MsgSeqNum too low, a second Logon, a Logout…) it logs on again with a reset.
    const corpus = new FixFuzzCorpus(SEED);
    const r = corpus.random;
    let nextSeq = 1;
    async function logOn(reset: boolean): Promise<RawFixConnection> {
      for (let attempt = 1; ; attempt++) {
        const connection = await RawFixConnection.open(tcp);
        const logon = frameFix([
          ['35', 'A'],
          ['49', 'FUZZ'],
          ['56', 'TM'],
          ['34', '1'],
          ['52', fixTime()],
          ['98', '0'],
          ['108', '30'],
          ...(reset ? [['141', 'Y'] as const] : []),
          ['553', 'FUZZ'],
          ['554', CLIENT_PASSWORD],
        ]);
        await connection.write(logon);
        counts.inSessionLogons += 1;
        const answered = await expectEventually(() => {
          expect(connection.text.includes('\x0135=A\x01') || connection.closed).toBe(true);
          return connection.text.includes('\x0135=A\x01');
        }, 10_000).catch(() => false);
        if (answered) {
          nextSeq = 2;
          return connection;
        }
        await connection.close();
        expect(
          attempt,
          context(`FUZZ logon (reset ${reset}) refused:\n${JSON.stringify(connection.text)}`),
        ).toBeLessThan(3);
      }
    }

    // FUZZ has never logged on, so its Logon carries MsgSeqNum 1 without a reset: strangers' refused
    // Logons in its name must not have moved its numbers.
    let connection = await logOn(false);
    let drops = 0;
    const stalls: string[] = [];
    while (total() < TOTAL_MESSAGES) {
      if (connection.closed) {
        drops += 1;
        connection = await logOn(true);
      }
      const message = corpus.inSession('FUZZ', 'TM', nextSeq);
      tally(message);
      counts.inSession += 1;
      await connection.write(message.bytes, r.chance(0.05) ? r.int(2, 5) : 1);
      if (connection.stalled)
        stalls.push(`message ${total()} (${message.kind}, ${message.bytes.length} bytes)`);
      if (message.deliveredSeq !== null && message.deliveredSeq >= nextSeq)
        nextSeq = message.deliveredSeq + 1;
      if (message.newSeqNo !== null && message.newSeqNo > nextSeq) nextSeq = message.newSeqNo;
      // Let the server's answers and a possible close come in before the next message now and then.
      if (counts.inSession % 50 === 0) await sleep(1);
      await checkpointIfDue();
    }
    await connection.close();

    expect(total()).toBe(TOTAL_MESSAGES);
    expect(counts.preLogon).toBeGreaterThan(1_000);
    expect(counts.inSession).toBeGreaterThan(5_000);
    await checkpoint();
    await calmResendAnswered();

    // 3. FUZZ's own session is not corrupted: a clean logon (with a reset) and a TestRequest answered.
    const fuzz = new FixTestClient({
      port: tcp,
      senderCompId: 'FUZZ',
      password: CLIENT_PASSWORD,
      resetSeqNum: true,
    });
    try {
      await fuzz.connect();
      await expectEventually(() => expect(fuzz.of('A'), context('FUZZ clean logon')).toHaveLength(1), 10_000);
      fuzz.send('1', { TestReqID: `fuzz-after-${SEED}` });
      await expectEventually(
        () =>
          expect(
            fuzz.of('0').some((hb) => hb['TestReqID'] === `fuzz-after-${SEED}`),
            context('FUZZ TestRequest after fuzzing'),
          ).toBe(true),
        10_000,
      );
      expect(fuzz.stopped).toBe(false);
    } finally {
      await fuzz.close();
    }

    // Garbage was dropped by the frame guard, not by killing sessions.
    const garbled = (await server.metrics())
      .split('\n')
      .filter((line) => line.startsWith('tm_fix_garbled_messages_total'))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    expect(garbled, context('tm_fix_garbled_messages_total')).toBeGreaterThan(0);
    expect(calm.stopped, context('CALM session stopped')).toBe(false);

    scanServerLog();
    // Nothing lost on the way: no failed store write (every session's numbers), resend or logon check.
    expect(Object.fromEntries(notable), context('fix-server logged errors')).toEqual({});
    console.info(
      `fix fuzz seed ${SEED}: ${counts.preLogon} pre-logon messages on ${counts.preLogonConnections} connections, ` +
        `${counts.inSession} in-session messages over ${counts.inSessionLogons} logons (${drops} sessions ended by the server), ` +
        `stalled connections ${JSON.stringify(stalls)}, ` +
        `${counts.checkpoints} checkpoints, ${garbled} garbled dropped; kinds ${JSON.stringify(Object.fromEntries([...kinds].sort()))}; ` +
        `server errors ${JSON.stringify(Object.fromEntries(notable))}`,
    );
  }, 85_000);
});
