import { createHmac } from 'node:crypto';
import ccxt, { type Exchange } from 'ccxt';
import { pointCcxtAt } from './point-ccxt-at.js';
import type { CcxtVenueConfig } from './ccxt-venue-config.js';

type ExchangeClass = new (config?: Record<string, unknown>) => Exchange;

const LIST_IDS_HINT = `node -e "import('ccxt').then(c => console.log(c.default.exchanges.join(' ')))"`;

/** ccxt.pro's class for the id (websockets), else the REST-only class (the adapter polls). */
export function exchangeClassFor(exchangeId: string): ExchangeClass {
  const pro = ccxt.pro as unknown as Record<string, ExchangeClass | undefined>;
  const rest = ccxt as unknown as Record<string, ExchangeClass | undefined>;
  const known = ccxt.exchanges.includes(exchangeId);
  const cls = Object.hasOwn(pro, exchangeId) ? pro[exchangeId] : known ? rest[exchangeId] : undefined;
  if (typeof cls !== 'function')
    throw new Error(
      `unknown ccxt exchange id "${exchangeId}": use one of ccxt's ${ccxt.exchanges.length} ids ` +
        `(e.g. binance, bybit, okx; all of them: ${LIST_IDS_HINT})`,
    );
  return cls;
}

/**
 * Defaults per venue that keep the first loadMarkets to the one market type we trade, and stop
 * ccxt from calling endpoints we never use. The caller's options win.
 */
export function defaultOptionsFor(exchangeId: string, defaultType: 'spot' | 'swap'): Record<string, unknown> {
  switch (exchangeId) {
    case 'binance':
      return {
        defaultType,
        fetchMarkets: { types: [defaultType === 'swap' ? 'linear' : 'spot'] },
        fetchCurrencies: false,
        fetchMargins: false,
        adjustForTimeDifference: false,
        // fetchOpenOrders without a symbol is what reconciliation needs; its weight is known.
        warnOnFetchOpenOrdersWithoutSymbol: false,
      };
    case 'bybit':
      return { defaultType, fetchMarkets: { types: [defaultType === 'swap' ? 'linear' : 'spot'] } };
    case 'okx':
      return { defaultType, fetchMarkets: { types: [defaultType] } };
    default:
      return { defaultType };
  }
}

export function createCcxtExchange(config: CcxtVenueConfig): Exchange {
  const cls = exchangeClassFor(config.exchangeId);
  const defaultType = config.defaultType ?? 'spot';
  const options = deepMerge(defaultOptionsFor(config.exchangeId, defaultType), config.options ?? {});
  const exchange = new cls({
    enableRateLimit: config.enableRateLimit ?? false,
    ...(config.timeoutMs === undefined ? {} : { timeout: config.timeoutMs }),
    options,
    ...(config.credentials === undefined
      ? {}
      : {
          apiKey: config.credentials.apiKey,
          secret: config.credentials.secret,
          ...(config.credentials.password === undefined ? {} : { password: config.credentials.password }),
        }),
  });
  if (config.apiUrl !== undefined) {
    const before = flattenUrls(exchange.urls.api);
    pointCcxtAt(exchange, config.apiUrl);
    const after = flattenUrls(exchange.urls.api);
    keepErrorTableByUrl(exchange, pairPrefixes(after, before));
  }
  observeWebsocketFutures(exchange);
  signWithNodeCrypto(exchange);
  return exchange;
}

/** ccxt's hash functions (@noble/hashes) carry their sizes; these are the ones Node's OpenSSL has. */
const NODE_HMAC_ALGORITHMS: Readonly<Record<string, string>> = {
  '32/64': 'sha256',
  '48/128': 'sha384',
  '64/128': 'sha512',
};
type HmacFn = (request: unknown, secret: unknown, hash?: unknown, digest?: string) => unknown;
const bytesOf = (value: unknown): Buffer | undefined =>
  typeof value === 'string'
    ? Buffer.from(value)
    : value instanceof Uint8Array
      ? Buffer.from(value)
      : undefined;

/**
 * Every signed request computes an HMAC; ccxt's is pure JavaScript. Node's OpenSSL gives the same
 * bytes for a fraction of the CPU, which is most of what an order costs on the client. Anything but
 * SHA-256/384/512 with hex, base64 or binary output goes to ccxt's own.
 */
function signWithNodeCrypto(exchange: Exchange): void {
  const target = exchange as unknown as { hmac?: HmacFn };
  const original = target.hmac;
  if (typeof original !== 'function') return;
  target.hmac = function (this: unknown, request, secret, hash, digest = 'hex') {
    const sizes = hash as { outputLen?: number; blockLen?: number } | undefined;
    const algorithm = NODE_HMAC_ALGORITHMS[`${sizes?.outputLen}/${sizes?.blockLen}`];
    const message = bytesOf(request);
    const key = bytesOf(secret);
    if (!algorithm || !message || !key || !['hex', 'base64', 'binary'].includes(digest))
      return original.call(this, request, secret, hash, digest);
    const mac = createHmac(algorithm, key).update(message);
    return digest === 'binary' ? new Uint8Array(mac.digest()) : mac.digest(digest as 'hex' | 'base64');
  };
}

interface WsClientLike {
  future(messageHash: string): Promise<unknown>;
}
const OBSERVED = Symbol('tm.observedFutures');

/**
 * ccxt.pro creates internal futures nobody awaits (the ws-api request id, `authenticate:…`) and rejects
 * every future of a client when its socket fails: left alone, each is an unhandled rejection, which
 * would end the process. A no-op catch on every future marks them observed; whoever awaits a future
 * still gets its rejection, and a dead socket still ends the feed through the watch call that saw it.
 */
function observeWebsocketFutures(exchange: Exchange): void {
  const target = exchange as unknown as { client?: (url: string) => WsClientLike };
  const original = target.client;
  if (typeof original !== 'function') return;
  target.client = function (this: unknown, url: string): WsClientLike {
    const client = original.call(this, url) as WsClientLike & { [OBSERVED]?: true };
    if (client[OBSERVED]) return client;
    client[OBSERVED] = true;
    const future = client.future.bind(client);
    client.future = (messageHash: string) => {
      const promise = future(messageHash);
      promise.catch(() => undefined);
      return promise;
    };
    return client;
  };
}

/**
 * Binance picks its error table by the request's hostname (api.binance.com → spot codes), so on a
 * rewritten URL codes like -5002 would map to a generic ExchangeError. Translate the URL back to the
 * venue's own before that lookup.
 */
function keepErrorTableByUrl(exchange: Exchange, prefixes: [string, string][]): void {
  const target = exchange as unknown as Record<string, unknown>;
  const original = target['getExceptionsByUrl'];
  if (typeof original !== 'function') return;
  // Longest rewritten prefix first, so /sapi/v1 wins over /sapi.
  const sorted = [...prefixes].sort((a, b) => b[0].length - a[0].length);
  target['getExceptionsByUrl'] = function (this: unknown, url: unknown, exactOrBroad: unknown): unknown {
    let venueUrl = url;
    if (typeof url === 'string') {
      const hit = sorted.find(([rewritten]) => url.startsWith(rewritten));
      if (hit !== undefined) venueUrl = hit[1] + url.slice(hit[0].length);
    }
    return (original as (u: unknown, e: unknown) => unknown).call(this, venueUrl, exactOrBroad);
  };
}

function flattenUrls(node: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof node === 'string') out.set(path, node);
  else if (node !== null && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) flattenUrls(value, `${path}/${key}`, out);
  return out;
}

function pairPrefixes(rewritten: Map<string, string>, original: Map<string, string>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [path, url] of rewritten) {
    const from = original.get(path);
    if (from !== undefined && from !== url && /^https?:/.test(url)) pairs.push([url, from]);
  }
  return pairs;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}
