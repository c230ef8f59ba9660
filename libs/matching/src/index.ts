export { ExchangeRejection, type ExchangeRejectionCode } from './exchange-rejection.js';
export type {
  AccountTradesQuery,
  Balance,
  Deposit,
  DepositAddress,
  DepositStatus,
  DepthLevel,
  DepthSnapshot,
  DepthUpdate,
  ExchangeEvents,
  ExchangeFill,
  ExchangeOrder,
  ExchangeOrderStatus,
  IncomingDeposit,
  OrderRef,
  OrderRequest,
  PaperExchangeOptions,
  PlaceResult,
  PublicTrade,
  Side,
  Ticker,
  TimeInForce,
  Transfer,
} from './exchange-types.js';
export type { InstrumentSpec } from './instrument-spec.js';
export { MarketMaker, type MarketMakerOptions } from './market-maker.js';
export { FEE_ACCOUNT, PaperExchange } from './paper-exchange.js';
export { SeededRandom } from './seeded-random.js';
export { SPOT_INSTRUMENTS } from './spot-instruments.js';
