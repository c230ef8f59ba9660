// The venue-neutral shapes every adapter returns. Decimals are strings; times are microseconds.
// Market data (the hot path) uses numbers.

export type OrderSide = 'buy' | 'sell';
export type OrderKind = 'limit' | 'market';
/** PO = post-only (rests as maker or is rejected). */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'PO';
export type VenueOrderStatus = 'open' | 'closed' | 'canceled' | 'rejected' | 'expired';

export interface VenueOrder {
  venueOrderId: string;
  clientOrderId: string;
  instrument: string;
  side: OrderSide;
  kind: OrderKind;
  timeInForce: TimeInForce;
  price: string | null;
  amount: string;
  filled: string;
  remaining: string;
  averagePrice: string | null;
  status: VenueOrderStatus;
  tsEvent: number;
}

export interface VenueFill {
  tradeId: string;
  venueOrderId: string;
  clientOrderId: string | null;
  instrument: string;
  side: OrderSide;
  price: string;
  amount: string;
  feeCost: string | null;
  feeCurrency: string | null;
  liquidity: 'maker' | 'taker' | null;
  tsEvent: number;
}

export interface VenueBalance {
  currency: string;
  free: string;
  used: string;
  total: string;
}

export interface BalanceSnapshot {
  balances: VenueBalance[];
  freeMargin: string | null;
  leverage: string | null;
  tsEvent: number;
}

export interface VenuePosition {
  instrument: string;
  side: 'long' | 'short';
  contracts: string;
  entryPrice: string | null;
  unrealizedPnl: string | null;
  leverage: string | null;
  tsEvent: number;
}

export interface DepositAddress {
  currency: string;
  address: string;
  tag: string | null;
  network: string | null;
}

export interface VenueDeposit {
  depositId: string;
  currency: string;
  amount: string;
  address: string | null;
  txId: string | null;
  status: 'pending' | 'ok' | 'failed';
  tsEvent: number;
}

/** One instrument's trading rules; null where the venue states none. */
export interface VenueInstrument {
  /** Unified 'BTC/USDT'. */
  symbol: string;
  base: string;
  quote: string;
  /** Price increment; null when the venue has no fixed grid. */
  tickSize: string | null;
  /** Amount increment. */
  lotSize: string | null;
  minAmount: string | null;
  /** Minimum price*amount. */
  minNotional: string | null;
  /** False when listed but not trading now. */
  active: boolean;
}

export interface TransferResult {
  transferId: string;
  currency: string;
  amount: string;
  from: string;
  to: string;
  tsEvent: number;
}

export interface MarketTick {
  instrument: string;
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
  tsEvent: number;
  tsInit: number;
}

export interface MarketTrade {
  instrument: string;
  tradeId: string;
  price: number;
  amount: number;
  takerSide: OrderSide | null;
  tsEvent: number;
  tsInit: number;
}

/** Levels are [price, amount]; amount 0 removes the level. A snapshot replaces the whole book. */
export interface BookDelta {
  instrument: string;
  snapshot: boolean;
  bids: [number, number][];
  asks: [number, number][];
  sequence: number | null;
  tsEvent: number;
  tsInit: number;
}

/** Our receive time in microseconds. */
export function nowMicros(): number {
  return Date.now() * 1000;
}
