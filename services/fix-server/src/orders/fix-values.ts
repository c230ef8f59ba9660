// The FIX 4.4 codes the order desk speaks (values of jspurefix's repo44 enums), decimals read from FIX fields,
// and UTCTimestamp text with microseconds.
import { Decimal } from 'decimal.js';

/** Plain notation always and precision far beyond any price or amount (the way libs/ledger clones it). */
export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -1e9,
  toExpPos: 1e9,
});
export type Dec = Decimal;

export const EXEC_TYPE = {
  New: '0',
  Canceled: '4',
  Replaced: '5',
  Rejected: '8',
  Trade: 'F',
  OrderStatus: 'I',
} as const;
export type ExecTypeCode = (typeof EXEC_TYPE)[keyof typeof EXEC_TYPE];

export const ORD_STATUS = {
  New: '0',
  PartiallyFilled: '1',
  Filled: '2',
  Canceled: '4',
  Rejected: '8',
} as const;
export type OrdStatusCode = (typeof ORD_STATUS)[keyof typeof ORD_STATUS];

/** OrdRejReason(103). */
export const ORD_REJ_REASON = {
  BrokerCredit: 0,
  UnknownSymbol: 1,
  ExchangeClosed: 2,
  OrderExceedsLimit: 3,
  UnknownOrder: 5,
  DuplicateOrder: 6,
  UnsupportedOrderCharacteristic: 11,
  IncorrectQuantity: 13,
  UnknownAccount: 15,
  Other: 99,
} as const;
export type OrdRejReasonCode = (typeof ORD_REJ_REASON)[keyof typeof ORD_REJ_REASON];

/** CxlRejReason(102). */
export const CXL_REJ_REASON = {
  TooLateToCancel: 0,
  UnknownOrder: 1,
  OrderAlreadyInPendingStatus: 3,
  DuplicateClOrdId: 6,
  Other: 99,
} as const;
export type CxlRejReasonCode = (typeof CXL_REJ_REASON)[keyof typeof CXL_REJ_REASON];

/** CxlRejResponseTo(434): 1 answers an F, 2 a G. */
export const CXL_REJ_RESPONSE_TO = { CancelRequest: '1', CancelReplaceRequest: '2' } as const;

export const FIX_SIDE = { Buy: '1', Sell: '2' } as const;
export type FixSide = (typeof FIX_SIDE)[keyof typeof FIX_SIDE];

/**
 * A positive-or-zero decimal from a FIX field. jspurefix parses FLOAT/QTY/PRICE to a JS number; its shortest
 * round-trip text is the wire's text for any value of up to 15 significant digits, so `String(n)` loses nothing
 * that the number still held. A string (a session that keeps the raw text) is taken as it is.
 */
export function decimalOf(value: unknown): Decimal | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    return new Dec(String(value));
  }
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return new Dec(value.trim());
  return null;
}

/** A decimal as FIX wants it on the wire: plain notation, no exponent, no trailing zeros. */
export function fixDecimal(value: Decimal): string {
  return new Dec(value).toFixed();
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * UTCTimestamp(60 etc.) with microseconds, `YYYYMMDD-HH:MM:SS.ffffff`. jspurefix writes a Date with
 * milliseconds only (TimeFormatter.writeUtcTimestamp), but its AsciiEncoder writes any string value of a
 * non-boolean field verbatim, so the report carries this preformatted text instead of a Date.
 */
export function fixTimestamp(micros: number): string {
  const whole = Math.floor(micros);
  const ms = Math.floor(whole / 1000);
  const date = new Date(ms);
  const fraction = whole - Math.floor(whole / 1_000_000) * 1_000_000;
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}-` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.` +
    pad(fraction, 6)
  );
}
