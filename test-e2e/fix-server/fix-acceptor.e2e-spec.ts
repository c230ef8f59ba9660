// fix-server as built, in a process of its own, with jspurefix initiators as clients over real TCP and
// TLS sockets: logon accepted and refused, the negotiated heartbeat, TestRequest, business rejects,
// sequence numbers across a restart, and the clients' admin API.
import { expectEventually, uniqueSubjectRoot, TestCertificate } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ownDatabase, type OwnDatabase } from '../fleet/own-database.js';
import { CLIENT_PASSWORD as PASSWORD, FixServerProcess, type FixServerPorts } from './fix-server-process.js';
import { FixTestClient } from './fix-test-client.js';

describe('fix-server acceptor', () => {
  let database: OwnDatabase;
  let certificate: TestCertificate;
  let server: FixServerProcess;
  let ports: FixServerPorts;
  const root = uniqueSubjectRoot();
  const clients: FixTestClient[] = [];

  function startServer(): Promise<FixServerProcess> {
    return FixServerProcess.start(
      {
        natsUrl: inject('natsUrl'),
        databaseUrl: database.url,
        root,
        extra: {
          TM_FIX_TLS_CERT: certificate.certFile,
          TM_FIX_TLS_KEY: certificate.keyFile,
        },
      },
      ports,
    );
  }

  function admin(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
    return server.admin(method, path, body, token);
  }

  function client(
    senderCompId: string,
    password = PASSWORD,
    extra: { tls?: boolean; heartBtInt?: number } = {},
  ) {
    const c = new FixTestClient({
      port: extra.tls ? ports.tls : ports.tcp,
      senderCompId,
      password,
      heartBtInt: extra.heartBtInt ?? 30,
      ...(extra.tls && { tlsCa: certificate.cert }),
    });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    database = await ownDatabase(inject('databaseUrl'), 'fix_acceptor');
    certificate = TestCertificate.create();
    ports = await FixServerProcess.freePorts();
    server = await startServer();
    for (const [id, enabled] of [
      ['ACME', true],
      ['SLEEPY', false],
      ['TLSCO', true],
      ['RATED', true],
      ['GUARDED', true],
      ['GAPPY', true],
    ] as const)
      expect(
        (await admin('POST', '', { senderCompId: id, password: PASSWORD, enabled, maxMessagesPerSecond: 5 }))
          .status,
      ).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.process.dispose();
    await database?.drop();
    certificate?.dispose();
  });

  it('admin API: refuses a bad token (401) and a bad body (400 naming the field); hides the hash', async () => {
    expect((await admin('GET', '', undefined, 'wrong-token-wrong-token')).status).toBe(401);
    const bad = await admin('POST', '', { senderCompId: 'bad id!', password: 'short' });
    expect(bad.status).toBe(400);
    const fields = ((await bad.json()) as { details: Array<{ field: string }> }).details.map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['senderCompId', 'password']));
    expect((await admin('POST', '', { senderCompId: 'ACME', password: PASSWORD })).status).toBe(409);
    const listed = (await (await admin('GET', '')).json()) as Array<Record<string, unknown>>;
    expect(listed.map((c) => c['senderCompId'])).toEqual([
      'ACME',
      'GAPPY',
      'GUARDED',
      'RATED',
      'SLEEPY',
      'TLSCO',
    ]);
    expect(listed.every((c) => !('passwordHash' in c))).toBe(true);
  });

  it('accepts a logon, echoes the client heartbeat interval, answers a TestRequest', async () => {
    const c = client('ACME', PASSWORD, { heartBtInt: 7 });
    await c.connect();
    await expectEventually(() => expect(c.of('A')).toHaveLength(1), 10_000);
    expect(c.of('A')[0]).toMatchObject({ HeartBtInt: 7 });
    c.send('1', { TestReqID: 'probe-1' });
    await expectEventually(
      () => expect(c.of('0').some((hb) => hb['TestReqID'] === 'probe-1')).toBe(true),
      10_000,
    );
    await c.close();
  });

  it('heartbeats an idle session at the client interval, and answers a message missing a required field with Reject', async () => {
    const c = client('ACME', PASSWORD, { heartBtInt: 1 });
    await c.connect();
    await expectEventually(() => expect(c.of('A').length).toBeGreaterThan(0), 10_000);
    // We have sent no TestRequest yet: every Heartbeat is the server keeping the idle session alive.
    await expectEventually(() => expect(c.of('0').length).toBeGreaterThanOrEqual(2), 10_000);

    // A NewOrderSingle with nothing but its ClOrdID: the dictionary's required tags are missing.
    c.send('D', { ClOrdID: 'incomplete-1' });
    await expectEventually(() => expect(c.of('3')).toHaveLength(1), 10_000);
    expect(c.of('3')[0]).toMatchObject({ RefMsgType: 'D', SessionRejectReason: 1 });
    c.send('1', { TestReqID: 'after-reject' });
    await expectEventually(
      () => expect(c.of('0').some((hb) => hb['TestReqID'] === 'after-reject')).toBe(true),
      10_000,
    );
    await c.close();
  });

  it('refuses a wrong password and a disabled client with a Logout saying why', async () => {
    const wrong = client('GUARDED', 'not the password at all');
    await wrong.connect();
    await expectEventually(() => expect(wrong.of('5')).toHaveLength(1), 10_000);
    expect(String(wrong.of('5')[0]!['Text'])).toContain('wrong Username(553)/Password(554)');
    expect(wrong.of('A')).toHaveLength(0);

    const disabled = client('SLEEPY');
    await disabled.connect();
    await expectEventually(() => expect(disabled.of('5')).toHaveLength(1), 10_000);
    expect(disabled.of('5')[0]).toMatchObject({ Text: 'client disabled' });
    expect(disabled.of('A')).toHaveLength(0);
  });

  it('disabling a logged-on client logs it out; enabling it lets it back without a restart', async () => {
    const c = client('TLSCO');
    await c.connect();
    await expectEventually(() => expect(c.of('A')).toHaveLength(1), 10_000);
    expect((await admin('PATCH', '/TLSCO', { enabled: false })).status).toBe(200);
    await expectEventually(
      () => expect(c.of('5').map((m) => m['Text'])).toContain('client disabled'),
      10_000,
    );
    await c.close();
    expect((await admin('PATCH', '/TLSCO', { enabled: true })).status).toBe(200);
    await c.connect();
    await expectEventually(() => expect(c.of('A')).toHaveLength(2), 10_000);
    await c.close();
  });

  it('answers an unsupported message type and messages past the rate limit with BusinessMessageReject', async () => {
    const c = client('RATED');
    await c.connect();
    await expectEventually(() => expect(c.of('A').length).toBeGreaterThan(0), 10_000);
    // Trading-session status is not ours to take; and 5 messages/s is this client's limit.
    for (let i = 0; i < 8; i++) c.send('h', { TradingSessionID: `s-${i}`, TradSesStatus: 2 });
    await expectEventually(() => expect(c.of('j')).toHaveLength(8), 10_000);
    const reasons = c.of('j').map((m) => String(m['Text']));
    expect(reasons.filter((t) => t.includes('not supported')).length).toBeGreaterThan(0);
    expect(reasons.filter((t) => t.includes('rate limit')).length).toBeGreaterThan(0);
    expect(c.of('j').every((m) => m['RefMsgType'] === 'h')).toBe(true);
    expect(c.stopped).toBe(false);
    await c.close();
  });

  it('recovers a forced sequence gap both ways: our ResendRequest, and our resend with PossDupFlag and GapFill', async () => {
    const c = client('GAPPY');
    await c.connect();
    await expectEventually(() => expect(c.of('A').length).toBeGreaterThan(0), 10_000);
    const header = (m: Record<string, unknown>) => m['StandardHeader'] as Record<string, unknown>;

    // Client → us: three of the client's numbers never arrive; we ask for them and carry on.
    c.skipOutgoing(3);
    c.send('1', { TestReqID: 'after-our-gap' });
    await expectEventually(() => expect(c.of('2').length).toBeGreaterThan(0), 10_000);
    await expectEventually(
      () => expect(c.of('0').some((hb) => hb['TestReqID'] === 'after-our-gap')).toBe(true),
      10_000,
    );

    // Us → client: an application message (a BusinessMessageReject) and heartbeats "lost" on the client's
    // side; its ResendRequest gets the reject again with PossDupFlag=Y and the heartbeats as a GapFill.
    c.send('h', { TradingSessionID: 'lost-1', TradSesStatus: 2 });
    await expectEventually(() => expect(c.of('j')).toHaveLength(1), 10_000);
    c.send('1', { TestReqID: 'lost-heartbeat' });
    await expectEventually(
      () => expect(c.of('0').some((hb) => hb['TestReqID'] === 'lost-heartbeat')).toBe(true),
      10_000,
    );
    c.forgetReceived(2);
    c.send('1', { TestReqID: 'shows-the-gap' });
    await expectEventually(() => {
      const resent = c.of('j').filter((m) => header(m)['PossDupFlag'] === true);
      expect(resent).toHaveLength(1);
      expect(resent[0]!['RefMsgType']).toBe('h');
      expect(header(resent[0]!)['OrigSendingTime']).toBeDefined();
      expect(c.of('4').some((m) => m['GapFillFlag'] === true && header(m)['PossDupFlag'] === true)).toBe(
        true,
      );
    }, 10_000);
    c.send('1', { TestReqID: 'still-alive' });
    await expectEventually(
      () => expect(c.of('0').some((hb) => hb['TestReqID'] === 'still-alive')).toBe(true),
      10_000,
    );
    expect(c.stopped).toBe(false);
    await c.close();
  });

  it('answers a Logon that shows a gap with its Logon first, then the ResendRequest', async () => {
    const c = client('GUARDED');
    await c.connect();
    await expectEventually(() => expect(c.of('A')).toHaveLength(1), 10_000);
    await c.close();
    c.skipBeforeLogon(4);
    await c.connect();
    await expectEventually(() => expect(c.of('A')).toHaveLength(2), 10_000);
    const secondLogonAt = c.received.findLastIndex((m) => m.msgType === 'A');
    await expectEventually(
      () => expect(c.received.slice(secondLogonAt).some((m) => m.msgType === '2')).toBe(true),
      10_000,
    );
    // Since the second Logon: our Logon first, then our ResendRequest for what the client skipped.
    const order = c.received.map((m) => m.msgType).filter((t) => t === 'A' || t === '2');
    expect(order.slice(order.lastIndexOf('A'))).toEqual(['A', '2']);
    c.send('1', { TestReqID: 'after-logon-gap' });
    await expectEventually(
      () => expect(c.of('0').some((hb) => hb['TestReqID'] === 'after-logon-gap')).toBe(true),
      10_000,
    );
    expect(c.stopped).toBe(false);
    await c.close();
  });

  it('keeps sequence numbers across a restart of fix-server', async () => {
    const c = client('ACME');
    await c.connect();
    await expectEventually(() => expect(c.of('A').length).toBeGreaterThan(0), 10_000);
    const seqOf = (m: Record<string, unknown>) =>
      Number((m['StandardHeader'] as Record<string, unknown>)['MsgSeqNum']);
    c.send('1', { TestReqID: 'before-restart' });
    await expectEventually(
      () => expect(c.of('0').some((hb) => hb['TestReqID'] === 'before-restart')).toBe(true),
      10_000,
    );
    const lastBefore = Math.max(...c.received.map((m) => seqOf(m.body)));
    await c.close();

    await server.stop();
    server = await startServer();

    const logonsBefore = c.of('A').length;
    await c.connect();
    await expectEventually(() => expect(c.of('A')).toHaveLength(logonsBefore + 1), 15_000);
    // Our Logon answer continues the numbering the client has seen (the logout on close took one).
    expect(seqOf(c.of('A').at(-1)!)).toBeGreaterThan(lastBefore);
    expect(c.of('5').every((m) => !String(m['Text'] ?? '').includes('MsgSeqNum too low'))).toBe(true);
    await c.close();
  }, 60_000);

  it('refuses an address after its failed logons fill the window, right password or not', async () => {
    // A server of its own, so the throttle does not meet the other tests' clients on 127.0.0.1.
    const throttled = await FixServerProcess.start(
      {
        natsUrl: inject('natsUrl'),
        databaseUrl: database.url,
        root,
        extra: { TM_FIX_LOGON_MAX_FAILURES: '2', TM_FIX_LOGON_WINDOW: '60s' },
      },
      await FixServerProcess.freePorts(),
    );
    try {
      const port = throttled.ports.tcp;
      for (let i = 0; i < 2; i++) {
        const guess = new FixTestClient({ port, senderCompId: 'NOBODY', password: `guess number ${i}!` });
        clients.push(guess);
        await guess.connect();
        await expectEventually(() => expect(guess.of('5')).toHaveLength(1), 10_000);
      }
      const rightful = new FixTestClient({
        port,
        senderCompId: 'RATED',
        password: PASSWORD,
        resetSeqNum: true,
      });
      clients.push(rightful);
      await rightful.connect();
      await expectEventually(() => expect(rightful.of('5')).toHaveLength(1), 10_000);
      expect(String(rightful.of('5')[0]!['Text'])).toMatch(
        /^too many failed logons from this address: retry in \d+ s$/,
      );
      expect(rightful.of('A')).toHaveLength(0);
    } finally {
      await throttled.process.dispose();
    }
  }, 60_000);

  it('serves a session over TLS with a test certificate', async () => {
    const c = client('TLSCO', PASSWORD, { tls: true });
    await c.connect();
    await expectEventually(() => expect(c.of('A')).toHaveLength(1), 10_000);
    c.send('1', { TestReqID: 'over-tls' });
    await expectEventually(
      () => expect(c.of('0').some((hb) => hb['TestReqID'] === 'over-tls')).toBe(true),
      10_000,
    );
    await c.close();
  });
});
