// The user data stream: Binance's websocket API (JSON-RPC: userDataStream.subscribe.signature,
// userDataStream.unsubscribe, ping, time) and legacy listenKey streams, pushing executionReport,
// outboundAccountPosition and balanceUpdate. Fill faults (duplicate, reorder) act here.
import type { ExchangeFill, ExchangeOrder } from '@tm/matching';
import type { WebSocket } from 'ws';

import { BinanceError, binanceErrors, toBinanceError } from '../binance-error.js';
import { accountPositionJson, executionReportJson, fmt } from '../binance-format.js';
import type { FaultInjector } from '../faults.js';
import type { Authenticator } from '../http/signature.js';
import type { SimulatorContext } from '../simulator-context.js';
import { sendText } from './market-streams.js';

/** A reordered fill report waits this long for its partner before it is sent anyway. */
const REORDER_HOLD_MS = 250;

interface Subscription {
  ws: WebSocket;
  /** ws-api subscriptions wrap events as `{ subscriptionId, event }`; listenKey streams send them bare. */
  subscriptionId: number | undefined;
}

interface ApiConnection {
  ws: WebSocket;
  nextSubscriptionId: number;
  subscriptions: Map<number, string>;
}

export class UserStreams {
  private readonly byAccount = new Map<string, Set<Subscription>>();
  private readonly sockets = new Set<WebSocket>();
  private readonly held = new Map<string, { report: Record<string, unknown>; timer: NodeJS.Timeout }>();

  constructor(
    private readonly context: SimulatorContext,
    private readonly auth: Authenticator,
    private readonly faults: FaultInjector,
  ) {}

  /** A websocket-API connection (/ws-api/v3). */
  attachApi(ws: WebSocket): void {
    const connection: ApiConnection = { ws, nextSubscriptionId: 0, subscriptions: new Map() };
    this.sockets.add(ws);
    ws.on('message', (data, isBinary) => this.onApiMessage(connection, isBinary ? '' : data.toString()));
    const detach = () => {
      this.sockets.delete(ws);
      for (const [id, account] of connection.subscriptions) this.removeSubscription(account, ws, id);
    };
    ws.on('close', detach);
    ws.on('error', detach);
  }

  /** A legacy listenKey stream (/ws/<listenKey>) for `account`. */
  attachListenKey(ws: WebSocket, account: string): void {
    this.sockets.add(ws);
    const subscription: Subscription = { ws, subscriptionId: undefined };
    this.subscriptionsOf(account).add(subscription);
    const detach = () => {
      this.sockets.delete(ws);
      this.byAccount.get(account)?.delete(subscription);
    };
    ws.on('close', detach);
    ws.on('error', detach);
  }

  /** Live user-stream subscriptions of `account`. */
  subscriberCount(account: string): number {
    return this.byAccount.get(account)?.size ?? 0;
  }

  /** Engine order update → executionReport (+ outboundAccountPosition) for the account's streams. */
  onOrderUpdate(order: ExchangeOrder, fill: ExchangeFill | undefined): void {
    const subscriptions = this.byAccount.get(order.account);
    if (subscriptions === undefined || subscriptions.size === 0) return;
    const now = Date.now();
    const report = executionReportJson(order, fill, this.context.symbols, now);
    if (fill !== undefined) this.deliverFill(order.account, report);
    else this.deliver(order.account, report);
    const spec = this.context.exchange.instruments().find((i) => i.symbol === order.instrument);
    if (spec === undefined) return;
    const balances = this.context.exchange
      .balances(order.account)
      .filter((b) => b.currency === spec.base || b.currency === spec.quote);
    this.deliver(order.account, accountPositionJson(balances, now));
  }

  /** A balance moved outside an order (deposit, transfer): balanceUpdate, as Binance sends. */
  onBalanceMoved(account: string, currency: string, delta: string): void {
    const subscriptions = this.byAccount.get(account);
    if (subscriptions === undefined || subscriptions.size === 0) return;
    const now = Date.now();
    this.deliver(account, { e: 'balanceUpdate', E: now, a: currency, d: fmt(delta), T: now });
    const balances = this.context.exchange.balances(account).filter((b) => b.currency === currency);
    this.deliver(account, accountPositionJson(balances, now));
  }

  dropAll(): void {
    for (const ws of [...this.sockets]) ws.terminate();
    this.sockets.clear();
    this.byAccount.clear();
  }

  close(): void {
    for (const { timer } of this.held.values()) clearTimeout(timer);
    this.held.clear();
    this.dropAll();
  }

  private deliverFill(account: string, report: Record<string, unknown>): void {
    const held = this.held.get(account);
    if (held !== undefined) {
      // The second of a reordered pair: it goes first, the held one after it.
      clearTimeout(held.timer);
      this.held.delete(account);
      this.deliver(account, report);
      this.deliver(account, held.report);
      return;
    }
    if (this.faults.takeReorder()) {
      const timer = setTimeout(() => {
        this.held.delete(account);
        this.deliver(account, report);
      }, REORDER_HOLD_MS);
      timer.unref();
      this.held.set(account, { report, timer });
      return;
    }
    this.deliver(account, report);
    if (this.faults.takeDuplicate()) this.deliver(account, report);
  }

  private deliver(account: string, event: Record<string, unknown>): void {
    const subscriptions = this.byAccount.get(account);
    if (subscriptions === undefined) return;
    let bare: string | undefined;
    for (const subscription of subscriptions) {
      if (subscription.subscriptionId === undefined) {
        bare ??= JSON.stringify(event);
        sendText(subscription.ws, bare);
      } else {
        sendText(subscription.ws, JSON.stringify({ subscriptionId: subscription.subscriptionId, event }));
      }
    }
  }

  private onApiMessage(connection: ApiConnection, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.reply(connection.ws, null, binanceErrors.unknown());
      return;
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      this.reply(connection.ws, null, new BinanceError(-1000, 'Invalid request: expected a JSON object.'));
      return;
    }
    const { id, method, params } = message as { id?: unknown; method?: unknown; params?: unknown };
    const requestId = typeof id === 'string' || typeof id === 'number' ? id : null;
    try {
      const result = this.call(connection, method, isRecord(params) ? params : {});
      this.reply(connection.ws, requestId, undefined, result);
    } catch (error) {
      this.reply(connection.ws, requestId, toBinanceError(error));
    }
  }

  private call(connection: ApiConnection, method: unknown, params: Record<string, unknown>): unknown {
    switch (method) {
      case 'ping':
        return {};
      case 'time':
        return { serverTime: Date.now() };
      case 'userDataStream.subscribe.signature': {
        const account = this.auth.verifyWsParams(params, Date.now()).account;
        const subscriptionId = connection.nextSubscriptionId++;
        connection.subscriptions.set(subscriptionId, account);
        this.subscriptionsOf(account).add({ ws: connection.ws, subscriptionId });
        return { subscriptionId };
      }
      case 'userDataStream.unsubscribe': {
        const only = typeof params.subscriptionId === 'number' ? params.subscriptionId : undefined;
        for (const [subscriptionId, account] of [...connection.subscriptions]) {
          if (only !== undefined && only !== subscriptionId) continue;
          this.removeSubscription(account, connection.ws, subscriptionId);
          connection.subscriptions.delete(subscriptionId);
        }
        return {};
      }
      default:
        throw new BinanceError(-1000, `Unknown method '${String(method)}'.`);
    }
  }

  private reply(ws: WebSocket, id: string | number | null, error?: BinanceError, result?: unknown): void {
    const message =
      error === undefined
        ? { id, status: 200, result }
        : { id, status: error.httpStatus, error: { code: error.code, msg: error.msg } };
    sendText(ws, JSON.stringify(message));
  }

  private subscriptionsOf(account: string): Set<Subscription> {
    let set = this.byAccount.get(account);
    if (set === undefined) {
      set = new Set();
      this.byAccount.set(account, set);
    }
    return set;
  }

  private removeSubscription(account: string, ws: WebSocket, subscriptionId: number): void {
    const set = this.byAccount.get(account);
    if (set === undefined) return;
    for (const subscription of set) {
      if (subscription.ws === ws && subscription.subscriptionId === subscriptionId) set.delete(subscription);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
