// ccxt's unified structures → the adapter's venue types. ccxt parses the venue's decimal strings
// into doubles; numberToString prints a double's shortest round-trip form, which is the venue's
// string again for every amount with ≤ 15 significant digits (all venues we know), never 1e-7.
import type { Balances, Exchange, Order, Position, Trade, Transaction } from 'ccxt';
import { Decimal } from 'decimal.js';
import type {
  BalanceSnapshot,
  OrderKind,
  OrderSide,
  TimeInForce,
  VenueBalance,
  VenueDeposit,
  VenueFill,
  VenueOrder,
  VenueOrderStatus,
  VenuePosition,
} from '../adapter/venue-types.js';

type NumberFormatter = Pick<Exchange, 'numberToString'>;

export function decimalOrNull(exchange: NumberFormatter, value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return exchange.numberToString(value);
  if (typeof value === 'string' && value !== '' && Number.isFinite(Number(value)))
    return new Decimal(value).toFixed();
  return null;
}

export function decimalOr(exchange: NumberFormatter, value: unknown, fallback: string): string {
  return decimalOrNull(exchange, value) ?? fallback;
}

/** ms → micros; our clock when the venue gave no time. */
export function micros(ms: unknown): number {
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.round(ms * 1000) : Date.now() * 1000;
}

function side(value: unknown): OrderSide {
  return value === 'sell' ? 'sell' : 'buy';
}

function orderStatus(value: unknown): VenueOrderStatus {
  switch (value) {
    case 'closed':
    case 'canceled':
    case 'rejected':
    case 'expired':
      return value;
    case 'cancelled':
      return 'canceled';
    default:
      return 'open'; // 'open', 'canceling' (pending cancel) and unknown: still at the venue
  }
}

function timeInForce(order: Order, kind: OrderKind): TimeInForce {
  if (order.postOnly === true) return 'PO';
  const tif = typeof order.timeInForce === 'string' ? order.timeInForce.toUpperCase() : undefined;
  if (tif === 'PO' || tif === 'GTX') return 'PO';
  if (tif === 'GTC' || tif === 'IOC' || tif === 'FOK') return tif;
  return kind === 'market' ? 'IOC' : 'GTC';
}

/** What the caller asked for, used where the venue's answer leaves a field out. */
export interface OrderHints {
  clientOrderId?: string;
  instrument?: string;
  side?: OrderSide;
  kind?: OrderKind;
  timeInForce?: TimeInForce;
  price?: string;
  amount?: string;
}

export function normaliseOrder(exchange: NumberFormatter, order: Order, hints: OrderHints = {}): VenueOrder {
  const kind: OrderKind = order.type === 'market' ? 'market' : order.type ? 'limit' : (hints.kind ?? 'limit');
  const amount = decimalOrNull(exchange, order.amount) ?? hints.amount ?? '0';
  const filled = decimalOr(exchange, order.filled, '0');
  const remaining =
    decimalOrNull(exchange, order.remaining) ?? Decimal.max(new Decimal(amount).minus(filled), 0).toFixed();
  const price = kind === 'market' ? null : (decimalOrNull(exchange, order.price) ?? hints.price ?? null);
  const average = decimalOrNull(exchange, order.average);
  return {
    venueOrderId: String(order.id),
    clientOrderId:
      typeof order.clientOrderId === 'string' ? order.clientOrderId : (hints.clientOrderId ?? ''),
    instrument: typeof order.symbol === 'string' ? order.symbol : (hints.instrument ?? ''),
    side: order.side === 'buy' || order.side === 'sell' ? order.side : (hints.side ?? 'buy'),
    kind,
    timeInForce:
      order.timeInForce === undefined && hints.timeInForce ? hints.timeInForce : timeInForce(order, kind),
    price,
    amount,
    filled,
    remaining,
    averagePrice: average === '0' || filled === '0' ? null : average,
    status: orderStatus(order.status),
    tsEvent: micros(order.lastUpdateTimestamp ?? order.lastTradeTimestamp ?? order.timestamp),
  };
}

export function normaliseFill(exchange: NumberFormatter, trade: Trade): VenueFill {
  const info: unknown = trade.info;
  let clientOrderId: string | null = null;
  if (info !== null && typeof info === 'object') {
    // Binance executionReport 'c', bybit orderLinkId, okx clOrdId: the fill's own client id.
    const record = info as Record<string, unknown>;
    for (const key of ['c', 'clientOrderId', 'orderLinkId', 'clOrdId']) {
      const value = record[key];
      if (typeof value === 'string' && value !== '') {
        clientOrderId = value;
        break;
      }
    }
  }
  const fee = trade.fee;
  return {
    tradeId: String(trade.id),
    venueOrderId: String(trade.order),
    clientOrderId,
    instrument: String(trade.symbol),
    side: side(trade.side),
    price: decimalOr(exchange, trade.price, '0'),
    amount: decimalOr(exchange, trade.amount, '0'),
    feeCost: fee === undefined || fee === null ? null : decimalOrNull(exchange, fee.cost),
    feeCurrency: fee === undefined || fee === null || typeof fee.currency !== 'string' ? null : fee.currency,
    liquidity: trade.takerOrMaker === 'maker' || trade.takerOrMaker === 'taker' ? trade.takerOrMaker : null,
    tsEvent: micros(trade.timestamp),
  };
}

const BALANCE_META_KEYS = new Set(['info', 'timestamp', 'datetime', 'free', 'used', 'total', 'debt']);
/** Where the venues we document report free margin in fetchBalance's raw answer. */
const FREE_MARGIN_KEYS = ['availableBalance', 'totalAvailableBalance', 'availEq', 'adjEq'];

export function normaliseBalance(exchange: NumberFormatter, balances: Balances): BalanceSnapshot {
  const out: VenueBalance[] = [];
  for (const [currency, entry] of Object.entries(balances)) {
    if (BALANCE_META_KEYS.has(currency) || entry === null || typeof entry !== 'object') continue;
    const free = decimalOr(exchange, entry.free, '0');
    const used = decimalOr(exchange, entry.used, '0');
    const total = decimalOrNull(exchange, entry.total) ?? new Decimal(free).plus(used).toFixed();
    if (free === '0' && used === '0' && total === '0') continue;
    out.push({ currency, free, used, total });
  }
  out.sort((a, b) => a.currency.localeCompare(b.currency));
  return {
    balances: out,
    freeMargin: findDecimal(exchange, balances.info, FREE_MARGIN_KEYS),
    leverage: null,
    tsEvent: micros(balances.timestamp),
  };
}

function findDecimal(exchange: NumberFormatter, info: unknown, keys: string[]): string | null {
  if (info === null || typeof info !== 'object') return null;
  const record = info as Record<string, unknown>;
  for (const key of keys) {
    const value = decimalOrNull(exchange, record[key]);
    if (value !== null) return value;
  }
  // okx and bybit nest the account under data[0] / result.list[0]
  const nested = Array.isArray(record['data'])
    ? record['data'][0]
    : record['result'] !== null && typeof record['result'] === 'object'
      ? (record['result'] as Record<string, unknown>)['list']
      : undefined;
  const first: unknown = Array.isArray(nested) ? nested[0] : nested;
  if (first !== undefined && first !== info) return findDecimal(exchange, first, keys);
  return null;
}

export function normalisePosition(exchange: NumberFormatter, position: Position): VenuePosition | null {
  const contracts = decimalOrNull(exchange, position.contracts);
  if (contracts === null || new Decimal(contracts).isZero()) return null;
  const isShort = position.side === 'short' || new Decimal(contracts).isNegative();
  return {
    instrument: String(position.symbol),
    side: isShort ? 'short' : 'long',
    contracts: new Decimal(contracts).abs().toFixed(),
    entryPrice: decimalOrNull(exchange, position.entryPrice),
    unrealizedPnl: decimalOrNull(exchange, position.unrealizedPnl),
    leverage: decimalOrNull(exchange, position.leverage),
    tsEvent: micros(position.lastUpdateTimestamp ?? position.timestamp),
  };
}

export function normaliseDeposit(exchange: NumberFormatter, deposit: Transaction): VenueDeposit {
  const status = deposit.status === 'ok' ? 'ok' : deposit.status === 'pending' ? 'pending' : 'failed';
  return {
    depositId: String(deposit.id ?? deposit.txid),
    currency: String(deposit.currency),
    amount: decimalOr(exchange, deposit.amount, '0'),
    address: typeof deposit.address === 'string' ? deposit.address : null,
    txId: typeof deposit.txid === 'string' ? deposit.txid : null,
    status: deposit.status === undefined || deposit.status === null ? 'pending' : status,
    tsEvent: micros(deposit.timestamp),
  };
}
