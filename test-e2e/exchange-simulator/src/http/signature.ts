// Binance request authentication: X-MBX-APIKEY / apiKey lookup, HMAC-SHA256 (hex) over the exact
// parameter text sent, and the timestamp/recvWindow check.
import { createHmac, timingSafeEqual } from 'node:crypto';

import { binanceErrors } from '../binance-error.js';
import type { SimulatorAccount } from '../simulator-options.js';

const MAX_RECV_WINDOW = 60_000;
const DEFAULT_RECV_WINDOW = 5_000;

export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Splits `signature=` out of a query or body, keeping the rest byte for byte. */
function withoutSignature(text: string): { rest: string; signature: string | undefined } {
  if (text === '') return { rest: '', signature: undefined };
  let signature: string | undefined;
  const kept: string[] = [];
  for (const part of text.split('&')) {
    if (part.startsWith('signature=')) signature = safeDecode(part.slice('signature='.length));
    else kept.push(part);
  }
  return { rest: kept.join('&'), signature };
}

export class Authenticator {
  private readonly byKey = new Map<string, SimulatorAccount>();

  constructor(accounts: readonly SimulatorAccount[]) {
    for (const account of accounts) this.byKey.set(account.apiKey, account);
  }

  /** The account of an API key, or -2015 (-2014 when none was sent). */
  account(apiKey: string | undefined): SimulatorAccount {
    if (apiKey === undefined || apiKey === '') throw binanceErrors.apiKeyFormat();
    const account = this.byKey.get(apiKey);
    if (account === undefined) throw binanceErrors.badApiKey();
    return account;
  }

  /**
   * A signed REST call: Binance signs `queryString + requestBody` (concatenated as sent) without the
   * signature pair itself.
   */
  verifyRest(account: SimulatorAccount, query: string, body: string, now: number): void {
    const q = withoutSignature(query);
    const b = withoutSignature(body);
    const signature = q.signature ?? b.signature;
    if (signature === undefined) throw binanceErrors.mandatory('signature');
    const payload = q.rest + b.rest;
    if (!sameSignature(hmacHex(account.secret, payload), signature)) throw binanceErrors.badSignature();
    this.checkTimestamp(new URLSearchParams(`${q.rest}&${b.rest}`), now);
  }

  /** A signed ws-api request: the params sorted by key, `k=v` joined by `&`, signature excluded. */
  verifyWsParams(params: Record<string, unknown>, now: number): SimulatorAccount {
    const apiKey = typeof params.apiKey === 'string' ? params.apiKey : undefined;
    const account = this.account(apiKey);
    const signature = typeof params.signature === 'string' ? params.signature : undefined;
    if (signature === undefined) throw binanceErrors.mandatory('signature');
    const payload = Object.keys(params)
      .filter((key) => key !== 'signature')
      .sort()
      .map((key) => `${key}=${String(params[key])}`)
      .join('&');
    if (!sameSignature(hmacHex(account.secret, payload), signature)) throw binanceErrors.badSignature();
    const values = new URLSearchParams();
    for (const key of ['timestamp', 'recvWindow']) {
      if (params[key] !== undefined) values.set(key, String(params[key]));
    }
    this.checkTimestamp(values, now);
    return account;
  }

  private checkTimestamp(params: URLSearchParams, now: number): void {
    const timestamp = Number(params.get('timestamp'));
    if (!params.has('timestamp') || !Number.isFinite(timestamp)) throw binanceErrors.mandatory('timestamp');
    const recvWindowText = params.get('recvWindow');
    const recvWindow = recvWindowText === null ? DEFAULT_RECV_WINDOW : Number(recvWindowText);
    if (!Number.isFinite(recvWindow) || recvWindow <= 0) throw binanceErrors.invalidParam('recvWindow');
    if (recvWindow > MAX_RECV_WINDOW) throw binanceErrors.recvWindowTooLarge();
    if (timestamp > now + 1000) throw binanceErrors.timestampAhead();
    if (now - timestamp > recvWindow) throw binanceErrors.timestampOutside();
  }
}
