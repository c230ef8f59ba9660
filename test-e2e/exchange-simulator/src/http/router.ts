// Dispatches REST requests: faults first, then weight (429/418), authentication, the order count,
// the endpoint, and the after-accept faults. Every failure is answered as Binance JSON; nothing throws.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { BinanceError, binanceErrors, toBinanceError } from '../binance-error.js';
import type { FaultInjector } from '../faults.js';
import type { SimulatorStats } from '../simulator-options.js';
import type { Endpoint } from './endpoint.js';
import { RequestParams } from './request-params.js';
import { RateLimitRefusal, type RequestWeights } from './request-weights.js';
import type { Authenticator } from './signature.js';

const MAX_BODY_BYTES = 64 * 1024;
const JSON_TYPE = 'application/json;charset=UTF-8';

export interface RouterDependencies {
  endpoints: readonly Endpoint[];
  auth: Authenticator;
  weights: RequestWeights;
  faults: FaultInjector;
  stats: SimulatorStats;
  /** Sockets held open by timeoutAfterAccept, destroyed on close. */
  onHeldOpen(timer: NodeJS.Timeout): void;
}

export class Router {
  private readonly routes = new Map<string, Endpoint>();

  constructor(private readonly deps: RouterDependencies) {
    for (const endpoint of deps.endpoints) this.routes.set(`${endpoint.method} ${endpoint.path}`, endpoint);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
    const method = req.method ?? 'GET';
    const key = `${method} ${path}`;
    const stats = this.deps.stats;
    stats.requests += 1;
    stats.byPath[key] = (stats.byPath[key] ?? 0) + 1;

    const failure = this.deps.faults.takeFailure(path);
    if (failure !== undefined) {
      req.resume();
      sendUnavailable(res, failure);
      return;
    }
    const endpoint = this.routes.get(key);
    if (endpoint === undefined) {
      req.resume();
      sendError(res, binanceErrors.notFound(), {});
      return;
    }
    if (method === 'GET') {
      this.dispatch(req, res, endpoint, query, '');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) sendError(res, binanceErrors.bodyTooLarge(), {});
      else this.dispatch(req, res, endpoint, query, Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => res.destroy());
  }

  private dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: Endpoint,
    query: string,
    body: string,
  ): void {
    const now = Date.now();
    const ip = req.socket.remoteAddress ?? 'unknown';
    const headers: Record<string, string> = {};
    const { weights, auth, faults, stats } = this.deps;
    try {
      const params = RequestParams.parse(query, body);
      const weight = typeof endpoint.weight === 'number' ? endpoint.weight : endpoint.weight(params);
      try {
        headers['X-MBX-USED-WEIGHT-1M'] = String(weights.spend(ip, weight, now));
      } catch (error) {
        headers['X-MBX-USED-WEIGHT-1M'] = String(weights.used(ip, now));
        throw error;
      }
      let account;
      if (endpoint.security !== 'NONE') {
        const apiKey = req.headers['x-mbx-apikey'];
        account = auth.account(Array.isArray(apiKey) ? apiKey[0] : apiKey);
        if (endpoint.security === 'SIGNED') auth.verifyRest(account, query, body, now);
      }
      if (endpoint.placesOrder === true && account !== undefined) {
        try {
          headers['X-MBX-ORDER-COUNT-10S'] = String(weights.spendOrder(account.account, now));
        } catch (error) {
          headers['X-MBX-ORDER-COUNT-10S'] = String(weights.orderCount(account.account, now));
          throw error;
        }
      }
      const result = endpoint.handle({ params, account, now });
      if (endpoint.placesOrder === true) {
        stats.ordersAccepted += 1;
        if (faults.hasAcceptFault() && this.applyAcceptFault(res)) return;
      }
      send(res, 200, JSON.stringify(result), headers);
    } catch (error) {
      const binanceError = toBinanceError(error);
      if (binanceError instanceof RateLimitRefusal) {
        if (binanceError.httpStatus === 429) stats.status429 += 1;
        else stats.status418 += 1;
        if (binanceError.retryAfterSeconds !== undefined)
          headers['Retry-After'] = String(binanceError.retryAfterSeconds);
      }
      sendError(res, binanceError, headers);
    }
  }

  /** True when the answer was replaced by a fault (never sent, or sent as 5xx). */
  private applyAcceptFault(res: ServerResponse): boolean {
    const { faults } = this.deps;
    const delayMs = faults.takeTimeoutAfterAccept();
    if (delayMs !== undefined) {
      const timer = setTimeout(() => res.socket?.destroy(), delayMs);
      timer.unref();
      this.deps.onHeldOpen(timer);
      return true;
    }
    const status = faults.takeErrorAfterAccept();
    if (status !== undefined) {
      sendUnavailable(res, status);
      return true;
    }
    return false;
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, error: BinanceError, headers: Record<string, string>): void {
  send(res, error.httpStatus, JSON.stringify(error.body()), headers);
}

/** A gateway-style 5xx with a non-JSON body: the client cannot tell whether anything happened. */
function sendUnavailable(res: ServerResponse, status: 500 | 502 | 503): void {
  if (res.headersSent || res.destroyed) return;
  const body = `<html><body><h1>${status} Service Unavailable</h1></body></html>`;
  res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
