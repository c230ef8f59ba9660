import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TmCliError } from '../tm-cli.error.js';
import { runFixClientsCommand } from './fix-clients.command.js';

// A real HTTP server stands in for fix-server's admin API: what `tm` sends is what it records.
interface SeenRequest {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

type Answer = { status: number; body?: unknown };

const TOKEN = 'test-admin-token-0123456789';
const PASSWORD = 'a long enough password';
const ACME = {
  senderCompId: 'ACME',
  enabled: true,
  maxMessagesPerSecond: 100,
  maxSubscriptions: 50,
  allowedAccounts: ['acc1', 'acc2'],
  createdAt: '2025-01-02T03:04:05.000Z',
  updatedAt: '2025-01-02T03:04:05.000Z',
};

let server: Server;
let baseUrl: string;
let seen: SeenRequest[];
let answer: Answer;

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void readBody(request).then((body) => {
      seen.push({
        method: request.method,
        url: request.url,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body,
      });
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

beforeEach(() => {
  seen = [];
  answer = { status: 200, body: ACME };
});

async function tm(
  argv: string[],
  opts: { env?: Record<string, string>; stdin?: string } = {},
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runFixClientsCommand(argv, {
    source: { TM_FIX_ADMIN_URL: baseUrl, TM_FIX_ADMIN_TOKEN: TOKEN, ...opts.env },
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tm fix clients: requests and output', () => {
  it('list: GETs every client with the bearer token and prints a table', async () => {
    answer = {
      status: 200,
      body: [
        ACME,
        { ...ACME, senderCompId: 'BETA', enabled: false, maxSubscriptions: 0, allowedAccounts: [] },
      ],
    };
    const result = await tm(['list']);
    expect(seen).toEqual([
      {
        method: 'GET',
        url: '/api/fix/clients',
        authorization: `Bearer ${TOKEN}`,
        contentType: undefined,
        body: undefined,
      },
    ]);
    expect(result.code).toBe(0);
    expect(result.out.split('\n')).toEqual([
      'SenderCompID  enabled  msgs/s  max subs  accounts',
      'ACME          yes      100     50        acc1,acc2',
      'BETA          no       100     0         (none)',
    ]);
  });

  it('list of no client says so', async () => {
    answer = { status: 200, body: [] };
    expect(await tm(['list'])).toEqual({ code: 0, out: 'no FIX clients', err: '' });
  });

  it('sends fix-server’s development token when TM_FIX_ADMIN_TOKEN is not set', async () => {
    const out: string[] = [];
    const code = await runFixClientsCommand(['show', 'ACME'], {
      source: { TM_FIX_ADMIN_URL: baseUrl },
      out: (line) => out.push(line),
    });
    expect(code).toBe(0);
    expect(seen[0]?.authorization).toBe('Bearer tm-engine-development-fix-admin-token');
  });

  it('show: GETs one client and prints its fields', async () => {
    const result = await tm(['show', 'ACME']);
    expect(seen.map((r) => [r.method, r.url])).toEqual([['GET', '/api/fix/clients/ACME']]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^SenderCompID\s+ACME$/m);
    expect(result.out).toMatch(/^accounts\s+acc1,acc2$/m);
    expect(result.out).toMatch(/^max subs\s+50$/m);
  });

  it('create: POSTs the id, the password from TM_FIX_CLIENT_PASSWORD and the flags; never prints the password', async () => {
    answer = { status: 201, body: { ...ACME, enabled: false, maxMessagesPerSecond: 20 } };
    const result = await tm(
      [
        'create',
        'ACME',
        '--accounts',
        'acc1, acc2',
        '--rate',
        '20',
        '--max-subscriptions',
        '5',
        '--disabled',
      ],
      { env: { TM_FIX_CLIENT_PASSWORD: PASSWORD }, stdin: 'not this one\n' },
    );
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/api/fix/clients',
        authorization: `Bearer ${TOKEN}`,
        contentType: 'application/json',
        body: {
          senderCompId: 'ACME',
          password: PASSWORD,
          enabled: false,
          maxMessagesPerSecond: 20,
          maxSubscriptions: 5,
          allowedAccounts: ['acc1', 'acc2'],
        },
      },
    ]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^created FIX client ACME$/m);
    expect(result.out + result.err).not.toContain(PASSWORD);
  });

  it('create without flags sends only the id and the password, read from the first line of stdin', async () => {
    answer = { status: 201, body: ACME };
    const result = await tm(['create', 'ACME'], { stdin: `${PASSWORD}\r\nsecond line\n` });
    expect(seen[0]?.body).toEqual({ senderCompId: 'ACME', password: PASSWORD });
    expect(result.code).toBe(0);
  });

  it('enable and disable PATCH enabled', async () => {
    expect((await tm(['enable', 'ACME'])).out).toMatch(/^enabled FIX client ACME$/m);
    answer = { status: 200, body: { ...ACME, enabled: false } };
    expect((await tm(['disable', 'ACME'])).out).toMatch(/^disabled FIX client ACME$/m);
    expect(seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ['PATCH', '/api/fix/clients/ACME', { enabled: true }],
      ['PATCH', '/api/fix/clients/ACME', { enabled: false }],
    ]);
  });

  it('password PATCHes only the password, from stdin', async () => {
    const result = await tm(['password', 'ACME'], { stdin: `${PASSWORD}\n` });
    expect(seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ['PATCH', '/api/fix/clients/ACME', { password: PASSWORD }],
    ]);
    expect(result.code).toBe(0);
    expect(result.out + result.err).not.toContain(PASSWORD);
  });

  it('set PATCHes only the limits given; --accounts "" leaves no account', async () => {
    const result = await tm(['set', 'ACME', '--accounts', '', '--rate', '7']);
    expect(seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ['PATCH', '/api/fix/clients/ACME', { allowedAccounts: [], maxMessagesPerSecond: 7 }],
    ]);
    expect(result.code).toBe(0);
  });

  it('puts the SenderCompID into the path encoded', async () => {
    answer = { status: 404, body: { error: 'NOT_FOUND' } };
    await tm(['show', 'a/b c']);
    expect(seen[0]?.url).toBe('/api/fix/clients/a%2Fb%20c');
  });
});

describe('tm fix clients: refusals exit 1 with one line each', () => {
  it('400: one "field: message" line per detail of the API', async () => {
    answer = {
      status: 400,
      body: {
        error: 'INVALID_REQUEST',
        details: [
          { field: 'password', message: 'must be at least 12 characters' },
          { field: 'allowedAccounts.0', message: 'must be 1–64 letters, digits, _ or -' },
        ],
      },
    };
    const result = await tm(['create', 'ACME', '--accounts', 'bad account'], { stdin: 'short\n' });
    expect(result).toEqual({
      code: 1,
      out: '',
      err: 'tm: password: must be at least 12 characters\ntm: allowedAccounts.0: must be 1–64 letters, digits, _ or -',
    });
  });

  it('400 without details quotes the message', async () => {
    answer = { status: 400, body: { statusCode: 400, message: 'Unexpected token', error: 'Bad Request' } };
    expect((await tm(['enable', 'ACME'])).err).toBe('tm: invalid request: Unexpected token');
  });

  it('404: not found', async () => {
    answer = { status: 404, body: { error: 'NOT_FOUND', message: 'no FIX client NOPE' } };
    expect(await tm(['disable', 'NOPE'])).toEqual({
      code: 1,
      out: '',
      err: 'tm: not found: FIX client NOPE',
    });
  });

  it('404 on the collection itself says TM_FIX_ADMIN_URL may not be fix-server', async () => {
    answer = { status: 404, body: { statusCode: 404, message: 'Cannot POST /api/fix/clients' } };
    const result = await tm(['create', 'ACME'], { stdin: `${PASSWORD}\n` });
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `tm: not found: POST ${baseUrl}/api/fix/clients (is TM_FIX_ADMIN_URL the address of fix-server?)`,
    );
  });

  it('401: tells to set TM_FIX_ADMIN_TOKEN', async () => {
    answer = {
      status: 401,
      body: { error: 'UNAUTHORIZED', message: 'a valid admin bearer token is required' },
    };
    const result = await tm(['list']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^tm: unauthorized: set TM_FIX_ADMIN_TOKEN\b/);
    expect(result.err.split('\n')).toHaveLength(1);
  });

  it('409: the client exists already', async () => {
    answer = { status: 409, body: { error: 'EXISTS', message: 'FIX client ACME exists already' } };
    expect(await tm(['create', 'ACME'], { stdin: `${PASSWORD}\n` })).toEqual({
      code: 1,
      out: '',
      err: 'tm: FIX client ACME exists already',
    });
  });

  it('another status names it, and a body that is not a client is refused', async () => {
    answer = { status: 500, body: { statusCode: 500, message: 'Internal server error' } };
    expect((await tm(['list'])).err).toBe('tm: fix-server answered HTTP 500: Internal server error');
    answer = { status: 200, body: { hello: 'world' } };
    const odd = await tm(['show', 'ACME']);
    expect(odd.code).toBe(1);
    expect(odd.err).toMatch(/^tm: fix-server answered something that is not a FIX client/);
  });
});

describe('tm fix clients: no answer and bad usage throw TmCliError (exit 2, as every tm command)', () => {
  it('an unreachable fix-server names the URL and why', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    closed.close();
    await once(closed, 'close');
    const run = runFixClientsCommand(['list'], { source: { TM_FIX_ADMIN_URL: url }, out: () => undefined });
    await expect(run).rejects.toThrow(TmCliError);
    await expect(run).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringMatching(
        new RegExp(`^cannot reach fix-server at ${url.replaceAll('.', '\\.')}: .*ECONNREFUSED`),
      ) as unknown,
    });
  });

  it.each([
    [[], /no command/],
    [['drop', 'ACME'], /unknown command "fix clients drop"/],
    [['show'], /takes one SenderCompID/],
    [['list', 'ACME'], /takes no SenderCompID/],
    [['enable', 'ACME', '--rate', '5'], /takes no --rate/],
    [['create', 'ACME', '--password', 'on the command line'], /Unknown option '--password'/],
    [['set', 'ACME'], /needs at least one of --accounts, --rate, --max-subscriptions/],
    [['set', 'ACME', '--rate', 'fast'], /--rate: expected a whole number, got "fast"/],
    [['create', 'ACME', '--max-subscriptions', '1.5'], /--max-subscriptions: expected a whole number/],
  ])('usage: %j', async (argv, problem) => {
    const run = tm(argv, { env: { TM_FIX_CLIENT_PASSWORD: PASSWORD } });
    await expect(run).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(problem) as unknown,
    });
    expect(seen).toEqual([]);
  });

  it('a password neither in TM_FIX_CLIENT_PASSWORD nor on stdin is a usage error, and nothing is sent', async () => {
    await expect(tm(['password', 'ACME'], { stdin: '\n' })).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/^no password: set TM_FIX_CLIENT_PASSWORD/) as unknown,
    });
    await expect(tm(['create', 'ACME'])).rejects.toMatchObject({ code: 'USAGE' });
    expect(seen).toEqual([]);
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await tm(['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('TM_FIX_CLIENT_PASSWORD');
  });
});
