import http from 'node:http';

/** The parts of a ccxt exchange instance that decide where it connects. */
export interface CcxtEndpoints {
  urls: { api?: unknown };
  httpAgent?: unknown;
  httpsAgent?: unknown;
  agent?: unknown;
}

/**
 * Points a ccxt exchange at another base URL (a simulator on 127.0.0.1, a venue's regional host),
 * keeping every path. `https://api.x.com/api/v3` → `<base>/api/v3`; websockets keep the first label
 * of their host as a path prefix, `wss://stream.x.com:9443/ws` → `ws://<host>/stream/ws`, because
 * ccxt tells spot from futures streams by the `/stream` in the URL.
 */
export function pointCcxtAt(exchange: CcxtEndpoints, apiUrl: string): void {
  const base = new URL(apiUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error(`apiUrl "${apiUrl}" must start with http:// or https://`);
  const wsScheme = base.protocol === 'https:' ? 'wss:' : 'ws:';
  const origin = `${base.protocol}//${base.host}`;
  const rewrite = (url: string): string => {
    const parsed = new URL(url);
    const path = parsed.pathname === '/' ? '' : parsed.pathname;
    if (parsed.protocol === 'wss:' || parsed.protocol === 'ws:') {
      const label = parsed.hostname.split('.')[0];
      return `${wsScheme}//${base.host}/${label}${path}${parsed.search}`;
    }
    return `${origin}${path}${parsed.search}`;
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return /^(https?|wss?):\/\//.test(node) ? rewrite(node) : node;
    if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) (node as Record<string, unknown>)[key] = walk(value);
    }
    return node;
  };
  walk(exchange.urls.api);
  // ccxt.pro refuses ws:// without an explicit agent; plain HTTP needs one too.
  if (base.protocol === 'http:') {
    const agent = new http.Agent({ keepAlive: true });
    exchange.httpAgent = agent;
    exchange.agent = agent;
  }
}
