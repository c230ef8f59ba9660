// `tm fix clients …`: the FIX clients of fix-server (who may log on, their limits and accounts) through its admin API.
import { createInterface } from 'node:readline';
import { Writable, type Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { env, loadConfig, type ConfigOf } from '@tm/config';
import { z } from 'zod';
import { TmCliError } from '../tm-cli.error.js';

export const FIX_CLIENTS_USAGE = `usage: tm fix clients <command>
  list                                   every FIX client: SenderCompID, enabled, msgs/s, max subs, accounts
  show <SenderCompID>
  create <SenderCompID> [--accounts a,b] [--rate N] [--max-subscriptions N] [--disabled]
  enable|disable <SenderCompID>          disabling logs a live session out
  password <SenderCompID>                a new password logs a live session out
  set <SenderCompID> [--accounts a,b] [--rate N] [--max-subscriptions N]
                                         --accounts '' leaves the client no account
The password (create, password) is read from TM_FIX_CLIENT_PASSWORD, else from the first line of stdin (not
echoed on a terminal); never from the command line, so it stays out of the process list and shell history.
Environment: TM_FIX_ADMIN_URL (default http://127.0.0.1:7404), TM_FIX_ADMIN_TOKEN (default fix-server's
development token, which only a fix-server started without TM_FIX_ADMIN_TOKEN accepts).`;

/**
 * fix-server's DEVELOPMENT_FIX_ADMIN_TOKEN (services/fix-server/src/config/fix-server.config.ts), repeated
 * because a tool may not import a service; against a fleet with its own token, TM_FIX_ADMIN_TOKEN must be set.
 */
const DEVELOPMENT_FIX_ADMIN_TOKEN = 'tm-engine-development-fix-admin-token';
const REQUEST_TIMEOUT_MS = 10_000;

export const fixClientsConfigSpec = {
  adminUrl: env.url('TM_FIX_ADMIN_URL', { default: 'http://127.0.0.1:7404', protocols: ['http', 'https'] }),
  adminToken: env.secret('TM_FIX_ADMIN_TOKEN', { default: DEVELOPMENT_FIX_ADMIN_TOKEN }),
  /** Trimmed like every variable, so a password read from stdin is trimmed too and both give the same hash. */
  clientPassword: env.optionalString('TM_FIX_CLIENT_PASSWORD'),
};

type FixClientsConfig = ConfigOf<typeof fixClientsConfigSpec>;

/** Where the command reads and writes; the defaults are the process's own, tests give their own. */
export interface FixClientsIo {
  readonly source?: Readonly<Record<string, string | undefined>>;
  readonly stdin?: Readable;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

// What fix-server's admin API answers (FixClientView, dates as ISO text, never the password hash).
const FixClientView = z.object({
  senderCompId: z.string(),
  enabled: z.boolean(),
  maxMessagesPerSecond: z.number(),
  maxSubscriptions: z.number(),
  allowedAccounts: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
type FixClientView = z.infer<typeof FixClientView>;

const AdminErrorBody = z.object({
  message: z.union([z.string(), z.array(z.string())]).optional(),
  details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

const SUBCOMMANDS = ['list', 'show', 'create', 'enable', 'disable', 'password', 'set'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];
type Flag = 'accounts' | 'rate' | 'max-subscriptions' | 'disabled';
const LIMIT_FLAGS: readonly Flag[] = ['accounts', 'rate', 'max-subscriptions'];
const FLAGS_OF: Readonly<Record<Subcommand, readonly Flag[]>> = {
  list: [],
  show: [],
  create: [...LIMIT_FLAGS, 'disabled'],
  enable: [],
  disable: [],
  password: [],
  set: LIMIT_FLAGS,
};

interface Invocation {
  subcommand: Subcommand;
  senderCompId: string | undefined;
  values: { accounts?: string; rate?: string; 'max-subscriptions'?: string; disabled?: boolean };
}

/** Runs one `tm fix clients` command: 0 done, 1 refused by fix-server; usage errors and no answer throw TmCliError. */
export async function runFixClientsCommand(argv: string[], io: FixClientsIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => console.log(line));
  const err = io.err ?? ((line: string) => console.error(line));
  const invocation = parseFixClientsArgs(argv);
  if (invocation === 'help') {
    out(FIX_CLIENTS_USAGE);
    return 0;
  }
  const { subcommand, senderCompId: id, values } = invocation;
  const config = loadConfig(fixClientsConfigSpec, io.source);
  const admin = new FixAdminApi(config.adminUrl, config.adminToken);
  const password = () => readPassword(config, io.stdin ?? process.stdin, err);

  let answer: AdminAnswer;
  let done: string | undefined;
  switch (subcommand) {
    case 'list':
      answer = await admin.call('GET', undefined);
      break;
    case 'show':
      answer = await admin.call('GET', id);
      break;
    case 'create':
      answer = await admin.call('POST', undefined, {
        senderCompId: id,
        password: await password(),
        ...(values.disabled === true && { enabled: false }),
        ...limitsOf(values),
      });
      done = `created FIX client ${id}`;
      break;
    case 'enable':
    case 'disable':
      answer = await admin.call('PATCH', id, { enabled: subcommand === 'enable' });
      done = `${subcommand}d FIX client ${id}`;
      break;
    case 'password':
      answer = await admin.call('PATCH', id, { password: await password() });
      done = `changed the password of FIX client ${id}`;
      break;
    case 'set':
      answer = await admin.call('PATCH', id, limitsOf(values));
      done = `changed FIX client ${id}`;
      break;
  }

  // A 404 on /api/fix/clients itself (list, create) means TM_FIX_ADMIN_URL is not fix-server, not a missing client.
  const pathId = subcommand === 'list' || subcommand === 'create' ? undefined : id;
  const problems = answer.ok ? [] : refusalLines(answer, id, pathId, admin.urlOf(pathId));
  let view: FixClientView | FixClientView[] | undefined;
  if (answer.ok) {
    const parsed = (subcommand === 'list' ? z.array(FixClientView) : FixClientView).safeParse(answer.body);
    if (parsed.success) view = parsed.data;
    else
      problems.push(
        `fix-server answered something that is not a FIX client: ${parsed.error.issues[0]?.message}`,
      );
  }
  if (view === undefined) {
    for (const problem of problems) err(`tm: ${problem}`);
    return 1;
  }
  if (done !== undefined) out(done);
  out(Array.isArray(view) ? renderTable(view) : renderClient(view));
  return 0;
}

function parseFixClientsArgs(argv: string[]): Invocation | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        accounts: { type: 'string' },
        rate: { type: 'string' },
        'max-subscriptions': { type: 'string' },
        disabled: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new TmCliError('USAGE', `${(error as Error).message}\n${FIX_CLIENTS_USAGE}`);
  }
  const { positionals, values } = parsed;
  const { help, ...flags } = values;
  if (help === true) return 'help';
  const [name, ...ids] = positionals;
  const subcommand = SUBCOMMANDS.find((s) => s === name);
  if (subcommand === undefined)
    throw new TmCliError(
      'USAGE',
      `${name === undefined ? 'no command' : `unknown command "fix clients ${name}"`}\n${FIX_CLIENTS_USAGE}`,
    );
  const wanted = subcommand === 'list' ? 0 : 1;
  if (ids.length !== wanted)
    throw new TmCliError(
      'USAGE',
      `tm fix clients ${subcommand} takes ${wanted === 0 ? 'no SenderCompID' : 'one SenderCompID'}\n${FIX_CLIENTS_USAGE}`,
    );
  const refused = (Object.keys(flags) as Flag[]).filter((flag) => !FLAGS_OF[subcommand].includes(flag));
  if (refused.length > 0)
    throw new TmCliError('USAGE', `tm fix clients ${subcommand} takes no --${refused.join(', --')}`);
  if (subcommand === 'set' && Object.keys(flags).length === 0)
    throw new TmCliError(
      'USAGE',
      'tm fix clients set needs at least one of --accounts, --rate, --max-subscriptions',
    );
  // Read now, so a bad number is a usage error before anything is sent.
  limitsOf(flags);
  return { subcommand, senderCompId: ids[0], values: flags };
}

function limitsOf(values: Invocation['values']): Record<string, unknown> {
  return {
    ...(values.rate !== undefined && { maxMessagesPerSecond: wholeNumber('--rate', values.rate) }),
    ...(values['max-subscriptions'] !== undefined && {
      maxSubscriptions: wholeNumber('--max-subscriptions', values['max-subscriptions']),
    }),
    ...(values.accounts !== undefined && {
      allowedAccounts: values.accounts
        .split(',')
        .map((account) => account.trim())
        .filter((account) => account !== ''),
    }),
  };
}

function wholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text)))
    throw new TmCliError('USAGE', `${flag}: expected a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** TM_FIX_CLIENT_PASSWORD, else the first line of stdin: never an argument, which `ps` and the shell history show. */
async function readPassword(
  config: FixClientsConfig,
  stdin: Readable,
  err: (line: string) => void,
): Promise<string> {
  if (config.clientPassword !== undefined) return config.clientPassword;
  const terminal = (stdin as Readable & { isTTY?: boolean }).isTTY === true;
  if (terminal) err('FIX client password (not echoed), then Enter:');
  // On a terminal readline reads in raw mode and echoes into this sink, so the password is not shown.
  const silent = new Writable({ write: (_chunk, _encoding, next) => next() });
  const lines = createInterface({ input: stdin, output: silent, terminal, crlfDelay: Infinity });
  const line = await new Promise<string | undefined>((resolve) => {
    lines.once('line', resolve).once('close', () => resolve(undefined));
    lines.once('SIGINT', () => resolve(undefined));
  });
  lines.close();
  const password = line?.trim() ?? '';
  if (password === '')
    throw new TmCliError(
      'USAGE',
      'no password: set TM_FIX_CLIENT_PASSWORD or give it on the first line of stdin (never as an argument)',
    );
  return password;
}

type AdminAnswer =
  { ok: true; body: unknown } | { ok: false; status: number; method: string; body: unknown; text: string };

/** fix-server's admin REST API: one request per call, the bearer token on each. */
class FixAdminApi {
  private readonly base: string;

  constructor(
    base: string,
    private readonly token: string,
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  urlOf(senderCompId: string | undefined): string {
    const url = `${this.base}/api/fix/clients`;
    return senderCompId === undefined ? url : `${url}/${encodeURIComponent(senderCompId)}`;
  }

  async call(
    method: 'GET' | 'POST' | 'PATCH',
    senderCompId: string | undefined,
    body?: Record<string, unknown>,
  ): Promise<AdminAnswer> {
    let response: Response;
    try {
      response = await fetch(this.urlOf(senderCompId), {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new TmCliError('UNREACHABLE', `cannot reach fix-server at ${this.base}: ${failureReason(error)}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new TmCliError('UNREACHABLE', `cannot reach fix-server at ${this.base}: ${failureReason(error)}`);
    }
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page, say): the refusal quotes the text instead.
    }
    return response.ok
      ? { ok: true, body: parsed }
      : { ok: false, status: response.status, method, body: parsed, text };
  }
}

// fetch says only "fetch failed"; the cause says why (connect ECONNREFUSED 127.0.0.1:7404, getaddrinfo ENOTFOUND…).
function failureReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError')
    return `no answer within ${REQUEST_TIMEOUT_MS / 1_000}s`;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return cause.message !== '' ? cause.message : typeof code === 'string' ? code : cause.name;
  }
  return error instanceof Error ? error.message : String(error);
}

function refusalLines(
  answer: Extract<AdminAnswer, { ok: false }>,
  senderCompId: string | undefined,
  pathId: string | undefined,
  url: string,
): string[] {
  const body = AdminErrorBody.safeParse(answer.body);
  const details = body.success ? (body.data.details ?? []) : [];
  const message = body.success ? [body.data.message ?? []].flat().join('; ') : '';
  const said = message !== '' ? message : answer.text.slice(0, 200).trim();
  switch (answer.status) {
    case 400:
      return details.length > 0
        ? details.map((d) => `${d.field}: ${d.message}`)
        : [`invalid request: ${said}`];
    case 401:
      return ['unauthorized: set TM_FIX_ADMIN_TOKEN to the admin token of fix-server'];
    case 404:
      return [
        pathId === undefined
          ? `not found: ${answer.method} ${url} (is TM_FIX_ADMIN_URL the address of fix-server?)`
          : `not found: FIX client ${senderCompId}`,
      ];
    case 409:
      return [`FIX client ${senderCompId} exists already`];
    default:
      return [`fix-server answered HTTP ${answer.status}${said === '' ? '' : `: ${said}`}`];
  }
}

function accountsOf(client: FixClientView): string {
  return client.allowedAccounts.length === 0 ? '(none)' : client.allowedAccounts.join(',');
}

function renderTable(clients: readonly FixClientView[]): string {
  if (clients.length === 0) return 'no FIX clients';
  const rows = [
    ['SenderCompID', 'enabled', 'msgs/s', 'max subs', 'accounts'],
    ...clients.map((c) => [
      c.senderCompId,
      c.enabled ? 'yes' : 'no',
      String(c.maxMessagesPerSecond),
      String(c.maxSubscriptions),
      accountsOf(c),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function renderClient(client: FixClientView): string {
  return [
    `SenderCompID  ${client.senderCompId}`,
    `enabled       ${client.enabled ? 'yes' : 'no'}`,
    `msgs/s        ${client.maxMessagesPerSecond}`,
    `max subs      ${client.maxSubscriptions}`,
    `accounts      ${accountsOf(client)}`,
    `created       ${client.createdAt}`,
    `updated       ${client.updatedAt}`,
  ].join('\n');
}
