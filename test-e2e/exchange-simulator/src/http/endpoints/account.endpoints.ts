// Signed account reads: balances (GET account) and own trades (GET myTrades), plus listen keys.
import { randomBytes } from 'node:crypto';

import { balanceJson, ms, myTradeJson } from '../../binance-format.js';
import { instrumentOf, type SimulatorContext } from '../../simulator-context.js';
import { accountOf, type Endpoint } from '../endpoint.js';

const API = '/api/v3';

export interface ListenKeys {
  create(account: string): string;
  has(listenKey: string): boolean;
  remove(listenKey: string): void;
}

/** listenKey → account; listen keys open the legacy user stream at /stream/ws/<listenKey>. */
export class ListenKeyRegistry implements ListenKeys {
  private readonly keys = new Map<string, string>();
  private readonly byAccount = new Map<string, string>();

  create(account: string): string {
    const existing = this.byAccount.get(account);
    if (existing !== undefined) return existing;
    const key = randomBytes(30).toString('base64url').slice(0, 60);
    this.keys.set(key, account);
    this.byAccount.set(account, key);
    return key;
  }

  has(listenKey: string): boolean {
    return this.keys.has(listenKey);
  }

  account(listenKey: string): string | undefined {
    return this.keys.get(listenKey);
  }

  remove(listenKey: string): void {
    const account = this.keys.get(listenKey);
    this.keys.delete(listenKey);
    if (account !== undefined) this.byAccount.delete(account);
  }
}

export function accountEndpoints(context: SimulatorContext, listenKeys: ListenKeyRegistry): Endpoint[] {
  const { exchange, symbols } = context;
  return [
    {
      method: 'GET',
      path: `${API}/account`,
      security: 'SIGNED',
      weight: 20,
      handle: (request) => {
        const account = accountOf(request).account;
        const omitZero = request.params.optional('omitZeroBalances') === 'true';
        const balances = exchange
          .balances(account)
          .filter((b) => !omitZero || Number(b.free) !== 0 || Number(b.locked) !== 0);
        return {
          makerCommission: 0,
          takerCommission: 0,
          buyerCommission: 0,
          sellerCommission: 0,
          commissionRates: {
            maker: '0.00000000',
            taker: '0.00000000',
            buyer: '0.00000000',
            seller: '0.00000000',
          },
          canTrade: true,
          canWithdraw: true,
          canDeposit: true,
          brokered: false,
          requireSelfTradePrevention: false,
          preventSor: false,
          updateTime: request.now,
          accountType: 'SPOT',
          balances: balances.map(balanceJson),
          permissions: ['SPOT'],
          uid: account,
        };
      },
    },
    {
      method: 'GET',
      path: `${API}/myTrades`,
      security: 'SIGNED',
      weight: (params) => (params.has('orderId') ? 5 : 20),
      handle: (request) => {
        const { params } = request;
        const spec = instrumentOf(context, params.required('symbol'));
        const orderId = params.optionalInt('orderId');
        const startTime = params.optionalInt('startTime');
        const endTime = params.optionalInt('endTime');
        const limit = Math.min(Math.max(params.optionalInt('limit') ?? 500, 1), 1000);
        const fromId = params.optionalInt('fromId');
        const fills = exchange.accountTrades(accountOf(request).account, {
          instrument: spec.symbol,
          fromId,
          since: startTime === undefined ? undefined : startTime * 1000,
          // Filter after the engine's limit only when a filter needs it.
          limit: orderId !== undefined || endTime !== undefined ? undefined : limit,
        });
        return fills
          .filter(
            (f) =>
              (orderId === undefined || f.orderId === orderId) &&
              (endTime === undefined || ms(f.time) <= endTime),
          )
          .slice(0, limit)
          .map((fill) => myTradeJson(fill, symbols));
      },
    },
    {
      method: 'POST',
      path: `${API}/userDataStream`,
      security: 'API_KEY',
      weight: 2,
      handle: (request) => ({ listenKey: listenKeys.create(accountOf(request).account) }),
    },
    {
      method: 'PUT',
      path: `${API}/userDataStream`,
      security: 'API_KEY',
      weight: 2,
      handle: (request) => {
        request.params.required('listenKey');
        return {};
      },
    },
    {
      method: 'DELETE',
      path: `${API}/userDataStream`,
      security: 'API_KEY',
      weight: 2,
      handle: (request) => {
        listenKeys.remove(request.params.required('listenKey'));
        return {};
      },
    },
  ];
}
