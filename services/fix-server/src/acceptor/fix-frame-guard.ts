// The framing layer between a client's socket and jspurefix's parser: passes whole FIX messages whose
// BeginString, BodyLength and CheckSum hold, and drops anything garbled (FIX: a garbled message is
// ignored, the session lives on; its sequence number then shows as a gap and is asked for again).
// jspurefix's parser would otherwise throw on the first bad byte and end the session.
import { Transform, type TransformCallback } from 'node:stream';

const SOH = 0x01;
const BEGIN = Buffer.from('8=FIX');
/** `10=` + three digits + SOH. */
const TRAILER_LENGTH = 7;

export type GarbledReason =
  'junk' | 'bad-header' | 'too-long' | 'bad-trailer' | 'bad-checksum' | 'bad-field' | 'bad-seqnum';

/**
 * The largest MsgSeqNum taken: the next number after it must still fit PostgreSQL's integer, where the
 * session keeps it, and no session lives that long.
 */
export const MAX_SEQ_NUM = 2_147_483_646;

export interface FixFrameGuardOptions {
  /** Longest message taken (bytes); a longer one is dropped. */
  maxMessageBytes: number;
  onGarbled?(reason: GarbledReason, bytes: number): void;
}

export class FixFrameGuard extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly options: FixFrameGuardOptions) {
    super();
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    this.drain();
    done();
  }

  private drain(): void {
    for (;;) {
      const start = this.pending.indexOf(BEGIN);
      if (start < 0) {
        // Keep a tail that may be the start of the next BeginString; the rest is junk.
        this.dropJunk(this.pending.length - this.beginPrefixAtEnd());
        return;
      }
      if (start > 0) this.dropJunk(start);
      const frame = this.frameLength();
      if (frame === 'incomplete') return;
      if (typeof frame === 'string') {
        this.skipGarbled(frame);
        continue;
      }
      this.push(this.pending.subarray(0, frame));
      this.pending = this.pending.subarray(frame);
    }
  }

  /** The length of the message at the start of `pending`, 'incomplete', or why it is garbled. */
  private frameLength(): number | 'incomplete' | GarbledReason {
    const p = this.pending;
    const firstSoh = p.indexOf(SOH);
    if (firstSoh < 0) return p.length > 32 ? 'bad-header' : 'incomplete';
    // Then 9=<length>SOH.
    if (p.length < firstSoh + 4) return 'incomplete';
    if (p[firstSoh + 1] !== 0x39 || p[firstSoh + 2] !== 0x3d) return 'bad-header';
    let bodyLength = 0;
    let at = firstSoh + 3;
    for (; at < p.length && p[at] !== SOH; at++) {
      const digit = p[at]! - 0x30;
      if (digit < 0 || digit > 9 || at - firstSoh > 12) return 'bad-header';
      bodyLength = bodyLength * 10 + digit;
    }
    if (at >= p.length) return 'incomplete';
    if (at === firstSoh + 3) return 'bad-header';
    const bodyStart = at + 1;
    const total = bodyStart + bodyLength + TRAILER_LENGTH;
    if (total > this.options.maxMessageBytes) return 'too-long';
    if (p.length < total) return 'incomplete';
    const trailer = bodyStart + bodyLength;
    if (
      p[trailer - 1] !== SOH ||
      p[trailer] !== 0x31 ||
      p[trailer + 1] !== 0x30 ||
      p[trailer + 2] !== 0x3d ||
      p[total - 1] !== SOH
    )
      return 'bad-trailer';
    let sum = 0;
    for (let i = 0; i < trailer; i++) sum += p[i]!;
    const stated = Number(p.toString('latin1', trailer + 3, trailer + 6));
    if (!Number.isInteger(stated) || stated !== sum % 256) return 'bad-checksum';
    return fieldsProblem(p, bodyStart, trailer) ?? total;
  }

  /** Drops the garbled message at the start: everything up to the next BeginString. */
  private skipGarbled(reason: GarbledReason): void {
    const next = this.pending.indexOf(BEGIN, 1);
    const dropped = next < 0 ? this.pending.length : next;
    this.pending = this.pending.subarray(dropped);
    this.options.onGarbled?.(reason, dropped);
  }

  /** How many bytes at the end of `pending` could be the start of `8=FIX`. */
  private beginPrefixAtEnd(): number {
    for (let keep = Math.min(this.pending.length, BEGIN.length - 1); keep > 0; keep--)
      if (this.pending.subarray(this.pending.length - keep).equals(BEGIN.subarray(0, keep))) return keep;
    return 0;
  }

  private dropJunk(bytes: number): void {
    if (bytes <= 0) return;
    this.pending = this.pending.subarray(bytes);
    this.options.onGarbled?.('junk', bytes);
  }
}

const TAG_BEGIN_STRING = 8;
const TAG_BODY_LENGTH = 9;
const TAG_MSG_TYPE = 35;
const TAG_MSG_SEQ_NUM = 34;
const TAG_CHECKSUM = 10;
/** SequenceReset's NewSeqNo: a number the session then keeps, so it is held to the same range. */
const TAG_NEW_SEQ_NO = 36;
/** Length fields of FIX 4.4 and the data field each measures: that data may hold SOH. */
const DATA_FIELD_OF_LENGTH = new Map([
  [90, 91],
  [95, 96],
  [212, 213],
  [348, 349],
  [350, 351],
  [352, 353],
  [354, 355],
  [356, 357],
  [358, 359],
  [360, 361],
  [362, 363],
  [364, 365],
  [445, 446],
  [618, 619],
  [621, 622],
]);

/**
 * Every field of the body `tag=value` with a numeric tag, MsgType first and no second BeginString, BodyLength,
 * MsgType or CheckSum, and one MsgSeqNum of 1..MAX_SEQ_NUM: jspurefix's parser throws on anything else.
 */
function fieldsProblem(p: Buffer, from: number, to: number): GarbledReason | null {
  let seqNums = 0;
  let index = 0;
  /** The data field the previous length field announced, and its length. */
  let data: { tag: number; length: number } | null = null;
  for (let at = from; at < to; index++) {
    let tag = 0;
    let digits = 0;
    for (; at < to && p[at] !== 0x3d && p[at] !== SOH; at++, digits++) {
      const digit = p[at]! - 0x30;
      if (digit < 0 || digit > 9 || digits > 9) return 'bad-field';
      tag = tag * 10 + digit;
    }
    if (digits === 0 || tag === 0 || p[at] !== 0x3d) return 'bad-field';
    const valueStart = ++at;
    if (data !== null && tag === data.tag) at += data.length;
    else while (at < to && p[at] !== SOH) at++;
    if (at === valueStart || at >= to || p[at] !== SOH) return 'bad-field';
    const lengthOf = DATA_FIELD_OF_LENGTH.get(tag);
    const length = Number(p.toString('latin1', valueStart, at));
    data = lengthOf !== undefined && Number.isInteger(length) ? { tag: lengthOf, length } : null;
    if ((tag === TAG_MSG_TYPE) !== (index === 0)) return 'bad-field';
    if (tag === TAG_BEGIN_STRING || tag === TAG_BODY_LENGTH || tag === TAG_CHECKSUM) return 'bad-field';
    if (tag === TAG_MSG_SEQ_NUM || tag === TAG_NEW_SEQ_NO) {
      if (tag === TAG_MSG_SEQ_NUM) seqNums++;
      const text = p.toString('latin1', valueStart, at);
      const seq = /^[0-9]{1,10}$/.test(text) ? Number(text) : 0;
      if (seq < 1 || seq > MAX_SEQ_NUM) return 'bad-seqnum';
    }
    at++;
  }
  return seqNums === 1 ? null : 'bad-seqnum';
}
