// A seeded corpus of FIX 4.4 fuzz input for fix-server: well-framed messages of many types with random,
// missing, duplicated and out-of-range fields, and byte-level mutations of them. The same seed gives the
// same bytes, so a failure names its seed and can be replayed.

const SOH = 0x01;
/** 2^31 − 1: the largest MsgSeqNum a PostgreSQL integer column holds. */
const INT32_MAX = 2_147_483_647;

/** mulberry32: a small, fast PRNG with a 32-bit state; good enough to fuzz with, and reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class FuzzRandom {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** One of `choices` with probability proportional to its weight. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

/**
 * One field on the wire: the tag is text so a fuzzed one can be `0`, negative or not a number at all;
 * `raw` is written as it is (a field with no `=`).
 */
export type FixField = readonly [tag: string, value: string | Buffer] | { readonly raw: string };

export interface FrameOptions {
  beginString?: string;
  /** A BodyLength(9) other than the true one. */
  bodyLength?: string;
  /** A CheckSum(10) other than the true one. */
  checkSum?: string;
}

function fieldBytes(field: FixField): Buffer {
  if ('raw' in field) return Buffer.from(`${field.raw}\x01`, 'latin1');
  const [tag, value] = field;
  return Buffer.concat([
    Buffer.from(`${tag}=`, 'latin1'),
    typeof value === 'string' ? Buffer.from(value, 'latin1') : value,
    Buffer.of(SOH),
  ]);
}

/** A FIX message as bytes: `8=…|9=<body length>|<fields>10=<checksum>|`, the length and sum computed. */
export function frameFix(fields: readonly FixField[], options: FrameOptions = {}): Buffer {
  const body = Buffer.concat(fields.map(fieldBytes));
  const head = Buffer.from(
    `8=${options.beginString ?? 'FIX.4.4'}\x019=${options.bodyLength ?? body.length}\x01`,
    'latin1',
  );
  const message = Buffer.concat([head, body]);
  let sum = 0;
  for (const byte of message) sum += byte;
  const checkSum = options.checkSum ?? String(sum % 256).padStart(3, '0');
  return Buffer.concat([message, Buffer.from(`10=${checkSum}\x01`, 'latin1')]);
}

/** FIX UTCTimestamp with milliseconds: `20240102-03:04:05.678`. */
export function fixTime(at: Date = new Date()): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace('T', '-')
    .replace(/(\d{2})(\d{2})(\d{2})\./, '$1:$2:$3.')
    .slice(0, 21);
}

/** The header and identity of a message sent inside (or outside) a session. */
export interface FuzzHeader {
  sender: string;
  target: string;
  seq: string;
}

/** What a generated message is, for the counts and the failure message. */
export interface FuzzMessage {
  bytes: Buffer;
  /** e.g. `D/fields`, `A/bogus-logon`, `mutated:flip-byte`, `garbage`. */
  kind: string;
  /** The MsgSeqNum it carries when its frame is intact (so it reaches the session layer), else null. */
  deliveredSeq: number | null;
  /** A SequenceReset that reaches the session layer sets the peer's next expected number to this. */
  newSeqNo: number | null;
}

type Mutation =
  | 'flip-byte'
  | 'flip-bytes'
  | 'truncate'
  | 'body-length'
  | 'checksum'
  | 'drop-soh'
  | 'duplicate-tag'
  | 'huge-value'
  | 'large-value'
  | 'non-ascii'
  | 'no-equals'
  | 'tag-zero'
  | 'bad-tag'
  | 'begin-string'
  | 'prefix-junk'
  | 'two-in-one'
  | 'empty-value';

const MSG_TYPES = ['0', '1', '2', '3', '4', '5', 'A', 'D', 'F', 'G', 'H', 'V', 'j', 'ZZ', 'h', 'W'] as const;
/** Values that have broken parsers before: empty, signs, overflow, exponents, separators, non-ASCII. */
const NASTY_VALUES = [
  '',
  '-1',
  '0',
  '-0',
  '1e308',
  'NaN',
  'Infinity',
  '99999999999999999999999',
  '2147483648',
  '9007199254740993',
  '0x10',
  ' 1',
  '1 ',
  'Y',
  'N',
  'true',
  '|',
  '=',
  '==',
  '8=FIX.4.4',
  '10=000',
  '20241301-25:61:61.999',
  '\u00ff\u00fe',
  '%s%n',
  "'; DROP TABLE fix_clients; --",
] as const;
const SYMBOLS = ['BTC/USD', 'ETH/USD', 'BTC/USDT', '', 'NOT A SYMBOL', 'BTC/USD:BTC', '???'] as const;

/** Generates the corpus; every method draws from the one seeded stream. */
export class FixFuzzCorpus {
  readonly random: FuzzRandom;
  private serial = 0;

  constructor(readonly seed: number) {
    this.random = new FuzzRandom(seed);
  }

  private id(prefix: string): string {
    this.serial += 1;
    return `${prefix}-${this.seed}-${this.serial}`;
  }

  /** A plausible value for a field of this tag, or a nasty one. */
  private value(tag: string): string {
    const r = this.random;
    if (r.chance(0.15)) return r.pick(NASTY_VALUES);
    switch (tag) {
      case '52':
      case '60':
      case '122':
        return fixTime(new Date(Date.now() + r.int(-86_400_000, 86_400_000)));
      case '55':
        return r.pick(SYMBOLS);
      case '54':
        return r.pick(['1', '2', '3', '9', 'X']);
      case '40':
        return r.pick(['1', '2', '3', 'P', 'Z']);
      case '59':
        return r.pick(['0', '1', '3', '4', '6', '9']);
      case '38':
      case '44':
        return r.pick(['1', '0.5', '0.00000001', '-1', '1000000000000', '1.2.3', '100', '65000.5']);
      case '1':
        return r.pick(['ACC-1', 'ACC-2', '', 'x'.repeat(100)]);
      case '263':
        return r.pick(['0', '1', '2', '3']);
      case '264':
        return r.pick(['0', '1', '5', '-1', '1000000']);
      case '269':
        return r.pick(['0', '1', '2', 'Z']);
      case '98':
        return r.pick(['0', '1', '7']);
      case '108':
        return r.pick(['30', '0', '-5', '1', '301', '999999', 'x']);
      case '141':
      case '43':
      case '97':
      case '123':
        return r.pick(['Y', 'N', 'X']);
      case '7':
      case '16':
      case '36':
      case '45':
        return String(r.pick([0, 1, 2, 5, 100, -1, r.int(1, 1_000_000), INT32_MAX, INT32_MAX + 1]));
      default:
        return r.chance(0.5) ? this.id('v') : String(r.int(-1000, 1_000_000));
    }
  }

  /** The body of a message of this type: its usual fields, each sometimes dropped, doubled or nasty. */
  private body(msgType: string): FixField[] {
    const r = this.random;
    const template: Record<string, readonly string[]> = {
      '0': ['112'],
      '1': ['112'],
      '2': ['7', '16'],
      '3': ['45', '371', '372', '373', '58'],
      '4': ['123', '36'],
      '5': ['58'],
      A: ['98', '108', '141', '553', '554'],
      D: ['11', '1', '55', '54', '38', '40', '44', '59', '60'],
      F: ['41', '11', '1', '55', '54', '38', '60'],
      G: ['41', '11', '1', '55', '54', '38', '40', '44', '60'],
      H: ['11', '37', '55', '54'],
      j: ['45', '372', '380', '58'],
      h: ['336', '340'],
      W: ['262', '55'],
    };
    const fields: FixField[] = [];
    for (const tag of template[msgType] ?? ['58', String(r.int(1, 9999))]) {
      if (r.chance(0.1)) continue;
      fields.push([tag, this.value(tag)]);
      if (r.chance(0.05)) fields.push([tag, this.value(tag)]);
    }
    if (msgType === 'V') fields.push(...this.marketDataRequest());
    // Fields the message does not define, or no FIX version does.
    for (let extra = r.chance(0.2) ? r.int(1, 4) : 0; extra > 0; extra--)
      fields.push([
        String(r.pick([r.int(1, 1000), r.int(5000, 9999), r.int(10_000, 99_999)])),
        this.value(''),
      ]);
    if (r.chance(0.1)) shuffle(r, fields);
    return fields;
  }

  private marketDataRequest(): FixField[] {
    const r = this.random;
    const fields: FixField[] = [
      ['262', this.id('md')],
      ['263', this.value('263')],
      ['264', this.value('264')],
    ];
    const types = r.int(0, 3);
    fields.push(['267', r.chance(0.1) ? String(types + r.int(1, 3)) : String(types)]);
    for (let i = 0; i < types; i++) fields.push(['269', this.value('269')]);
    const symbols = r.int(0, 2);
    fields.push(['146', r.chance(0.1) ? String(symbols + 5) : String(symbols)]);
    for (let i = 0; i < symbols; i++) fields.push(['55', this.value('55')]);
    return fields;
  }

  private header(msgType: string, h: FuzzHeader, inSession: boolean): FixField[] {
    const r = this.random;
    const fields: FixField[] = [
      ['35', msgType],
      ['49', h.sender],
      ['56', h.target],
      ['34', h.seq],
      ['52', fixTime()],
    ];
    if (r.chance(0.03)) fields.push(['43', 'Y'], ['122', fixTime()]);
    // A header without its MsgSeqNum, or with a second SenderCompID, ends a session: rare in one.
    if (r.chance(inSession ? 0.003 : 0.03)) fields.splice(r.int(1, fields.length - 1), 1);
    if (r.chance(inSession ? 0.002 : 0.02)) fields.push(['49', h.sender]);
    return fields;
  }

  /** A well-framed message of a random type: it passes the frame guard and reaches jspurefix. */
  framed(h: FuzzHeader, msgType: string = this.random.pick(MSG_TYPES), inSession = false): FuzzMessage {
    const bytes = frameFix([...this.header(msgType, h, inSession), ...this.body(msgType)]);
    const seq = Number(h.seq);
    return {
      bytes,
      kind: `${msgType}/fields`,
      deliveredSeq: Number.isInteger(seq) ? seq : null,
      newSeqNo: null,
    };
  }

  /** A Logon with the right shape that must be refused (unknown client, wrong password, bad HeartBtInt…). */
  bogusLogon(knownClient: string, target = 'TM'): FuzzMessage {
    const r = this.random;
    const sender = r.pick([knownClient, 'NOBODY', this.id('X').slice(0, 30)]);
    const problem = r.pick(['password', 'username', 'heartbeat', 'unknown'] as const);
    const fields: FixField[] = [
      ['35', 'A'],
      ['49', problem === 'unknown' ? 'NOBODY' : sender],
      ['56', target],
      ['34', String(r.pick([1, 1, 2, 7, 1_000]))],
      ['52', fixTime()],
      ['98', '0'],
      ['108', problem === 'heartbeat' ? r.pick(['0', '301', '-1', '100000']) : '30'],
      ['141', r.pick(['Y', 'N'])],
      ['553', problem === 'username' ? 'SOMEONE-ELSE' : sender],
      ['554', problem === 'password' ? 'not the password at all' : 'correct horse battery'],
    ];
    return { bytes: frameFix(fields), kind: `A/bogus-logon-${problem}`, deliveredSeq: null, newSeqNo: null };
  }

  /** Random bytes, sometimes salted with FIX-looking fragments so the guard has to resync. */
  garbage(): FuzzMessage {
    const r = this.random;
    const parts: Buffer[] = [r.bytes(r.int(1, 600))];
    if (r.chance(0.5))
      parts.push(Buffer.from(r.pick(['8=FIX', '8=FIX.4.4\x019=', '\x0110=', '8=F', '9=99999\x01'])));
    if (r.chance(0.3)) parts.push(r.bytes(r.int(1, 100)));
    return { bytes: Buffer.concat(parts), kind: 'garbage', deliveredSeq: null, newSeqNo: null };
  }

  /**
   * A message inside a logged-on session: header as the session's, MsgSeqNum usually the next expected,
   * then one of many changes. `deliveredSeq` says which number the server will see if the frame holds.
   */
  inSession(sender: string, target: string, nextSeq: number): FuzzMessage {
    const r = this.random;
    const seqChoice = r.weighted<'next' | 'gap' | 'low' | 'zero' | 'negative' | 'enormous' | 'junk'>([
      ['next', 92],
      ['gap', 6],
      ['low', 0.1],
      ['zero', 0.05],
      ['negative', 0.05],
      ['enormous', 0.2],
      ['junk', 0.05],
    ]);
    const seq = {
      next: String(nextSeq),
      gap: String(nextSeq + r.int(2, 50)),
      low: String(Math.max(1, nextSeq - r.int(1, 10))),
      zero: '0',
      negative: String(-r.int(1, 1_000_000)),
      enormous: r.pick([String(INT32_MAX), String(INT32_MAX + 1), '99999999999', '9007199254740993']),
      junk: r.pick(['abc', '', '1.5', '12a']),
    }[seqChoice];
    const h: FuzzHeader = { sender, target, seq };
    if (r.chance(0.02)) h.sender = r.pick(['OTHER', '', sender.toLowerCase()]);
    if (r.chance(0.02)) h.target = r.pick(['NOT-TM', '', '*']);
    // The session-ending types (Logon again, Logout) are rare, so most of the stream runs in one session.
    const msgType = r.weighted<string>([
      ['0', 8],
      ['1', 8],
      ['2', 2],
      ['3', 3],
      ['4', 2],
      ['5', 0.1],
      ['A', 0.1],
      ['D', 14],
      ['F', 8],
      ['G', 8],
      ['H', 6],
      ['V', 12],
      ['j', 4],
      ['ZZ', 3],
      ['h', 2],
      ['W', 2],
    ]);
    const message = this.mutate(this.framed(h, msgType, true), h, msgType, true);
    if (message.deliveredSeq !== null && msgType === '4' && message.kind.endsWith('/fields')) {
      const field = message.bytes
        .toString('latin1')
        .split('\x01')
        .find((f) => f.startsWith('36='));
      const newSeqNo = Number(field?.slice(3));
      message.newSeqNo = field !== undefined && Number.isInteger(newSeqNo) ? newSeqNo : null;
    }
    return message;
  }

  /** Pre-logon input: anything at all, as a stranger's connection would send it. */
  preLogon(knownClient: string): FuzzMessage {
    const r = this.random;
    const h: FuzzHeader = {
      sender: r.pick([knownClient, 'NOBODY', '', 'X'.repeat(r.int(1, 300))]),
      target: r.pick(['TM', 'TM', 'OTHER', '']),
      seq: String(r.pick([1, 1, 2, 0, -1, r.int(1, 1_000_000), 99_999_999_999])),
    };
    const kind = r.weighted<'framed' | 'mutated' | 'garbage'>([
      ['framed', 3],
      ['mutated', 5],
      ['garbage', 2],
    ]);
    if (kind === 'garbage') return this.garbage();
    const base = this.framed(h);
    return kind === 'framed' ? base : this.mutate(base, h, base.kind.split('/')[0]!, false);
  }

  /**
   * One change to a framed message, or none (about a third of the time, in-session). Changes that keep
   * the frame whole reach jspurefix; the others must be dropped by the frame guard.
   */
  mutate(message: FuzzMessage, h: FuzzHeader, msgType: string, inSession: boolean): FuzzMessage {
    const r = this.random;
    if (!r.chance(inSession ? 0.3 : 0.9)) return message;
    const bytes = message.bytes;
    const text = bytes.toString('latin1');
    const bodyStart = text.indexOf('\x0135=') + 1;
    const trailerAt = text.lastIndexOf('10=');
    const fields = (): Array<readonly [string, string]> =>
      text
        .slice(bodyStart, trailerAt)
        .split('\x01')
        .filter((f) => f !== '')
        .map((f) => {
          const eq = f.indexOf('=');
          return eq < 0 ? ([f, ''] as const) : ([f.slice(0, eq), f.slice(eq + 1)] as const);
        });
    const reframed = (kind: string, body: FixField[], options?: FrameOptions): FuzzMessage => ({
      bytes: frameFix(body, options),
      kind: `mutated:${kind}`,
      deliveredSeq: options ? null : message.deliveredSeq,
      newSeqNo: null,
    });
    const broken = (kind: string, out: Buffer): FuzzMessage => ({
      bytes: out,
      kind: `mutated:${kind}`,
      deliveredSeq: null,
      newSeqNo: null,
    });
    // Changes jspurefix's parser cannot take end the session (it throws), so in a session they are rarer.
    const parserBreaking = inSession ? 0.2 : 1;
    const mutation = r.weighted<Mutation>([
      ['flip-byte', 1],
      ['flip-bytes', 1],
      ['truncate', 1],
      ['body-length', 1],
      ['checksum', 1],
      ['drop-soh', 1],
      ['duplicate-tag', parserBreaking],
      ['huge-value', 0.5],
      ['large-value', 0.5],
      ['non-ascii', 1],
      ['no-equals', parserBreaking],
      ['tag-zero', 1],
      ['bad-tag', parserBreaking],
      ['begin-string', 1],
      ['prefix-junk', 1],
      ['two-in-one', 1],
      ['empty-value', 1],
    ]);
    switch (mutation) {
      case 'flip-byte': {
        const out = Buffer.from(bytes);
        const at = r.int(0, out.length - 1);
        out[at] = out[at]! ^ r.int(1, 255);
        return broken(mutation, out);
      }
      case 'flip-bytes': {
        const out = Buffer.from(bytes);
        for (let n = r.int(2, 10); n > 0; n--) out[r.int(0, out.length - 1)] = r.int(0, 255);
        return broken(mutation, out);
      }
      case 'truncate':
        return broken(mutation, bytes.subarray(0, r.int(1, bytes.length - 1)));
      case 'body-length': {
        const delta = r.pick([-1, 1, -5, 7, 1_000, 150_000, 10_000_000]);
        return reframed(mutation, fields(), {
          bodyLength: String(Math.max(0, trailerAt - bodyStart + delta)),
        });
      }
      case 'checksum':
        return reframed(mutation, fields(), { checkSum: r.pick(['000', '256', '99', 'abc', '1000', '-01']) });
      case 'drop-soh': {
        const sohs = [...bytes.keys()].filter((i) => bytes[i] === SOH);
        const at = r.pick(sohs);
        return broken(mutation, Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]));
      }
      case 'duplicate-tag': {
        const body = fields();
        const copy = r.pick(body);
        body.splice(r.int(1, body.length), 0, [copy[0], r.chance(0.5) ? copy[1] : this.value(copy[0])]);
        return reframed(mutation, body);
      }
      case 'huge-value': {
        // Past the guard's 160 KB limit: dropped whole.
        const body: FixField[] = fields();
        body.push(['58', 'H'.repeat(200 * 1024)]);
        return { ...reframed(mutation, body), deliveredSeq: null };
      }
      case 'large-value': {
        // Under the limit: jspurefix must take a 20–120 KB value.
        const body: FixField[] = fields();
        body.push(['58', 'L'.repeat(r.int(20, 120) * 1024)]);
        return reframed(mutation, body);
      }
      case 'non-ascii': {
        const body = fields();
        const at = r.int(1, body.length - 1);
        const target = body[at];
        const high = r.bytes(r.int(1, 8)).map((b) => b | 0x80);
        const changed: FixField[] = [...body];
        if (target) changed[at] = [target[0], Buffer.concat([Buffer.from(target[1], 'latin1'), high])];
        return reframed(mutation, changed);
      }
      case 'no-equals': {
        const body: FixField[] = fields();
        body.splice(r.int(1, body.length), 0, { raw: r.pick(['abc', '55', '9999', '\u00e9t\u00e9', '']) });
        return reframed(mutation, body);
      }
      case 'tag-zero': {
        const body: FixField[] = fields();
        body.splice(r.int(1, body.length), 0, ['0', this.value('')]);
        return reframed(mutation, body);
      }
      case 'bad-tag': {
        const body: FixField[] = fields();
        body.splice(r.int(1, body.length), 0, [r.pick(['-1', '00035', '1a', '', ' 55', '4294967296']), 'x']);
        return reframed(mutation, body);
      }
      case 'begin-string':
        return reframed(mutation, fields(), {
          beginString: r.pick(['FIX.4.2', 'FIXT.1.1', 'FIX.4.4 ', 'FIX.5']),
        });
      case 'prefix-junk': {
        // Junk then the intact message: the guard must resync on `8=FIX` and pass the message.
        const junk = r.bytes(r.int(1, 64)).map((b) => (b === 0x38 ? 0x37 : b));
        return { ...message, bytes: Buffer.concat([junk, bytes]), kind: 'mutated:prefix-junk' };
      }
      case 'two-in-one': {
        const other = this.framed(h, msgType, inSession);
        const cut = r.int(1, bytes.length - 1);
        return broken(
          mutation,
          Buffer.concat([bytes.subarray(0, cut), other.bytes.subarray(r.int(0, other.bytes.length - 1))]),
        );
      }
      case 'empty-value': {
        const body = fields();
        const at = r.int(1, body.length - 1);
        const target = body[at];
        if (target) body[at] = [target[0], ''];
        return reframed(mutation, body);
      }
    }
  }
}

function shuffle<T>(r: FuzzRandom, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
