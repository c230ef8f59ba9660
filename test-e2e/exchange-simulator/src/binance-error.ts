import { ExchangeRejection } from '@tm/matching';

/** An error answered the way Binance answers it: an HTTP status and `{ code, msg }`. */
export class BinanceError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly httpStatus = 400,
    readonly data?: unknown,
  ) {
    super(msg);
    this.name = 'BinanceError';
  }

  body(): Record<string, unknown> {
    return this.data === undefined
      ? { code: this.code, msg: this.msg }
      : { code: this.code, msg: this.msg, data: this.data };
  }
}

// Messages are Binance's own, word for word: ccxt maps several of them by exact text.
export const binanceErrors = {
  unknown: () => new BinanceError(-1000, 'An unknown error occured while processing the request.'),
  mandatory: (name: string) =>
    new BinanceError(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  illegalChars: (name: string) =>
    new BinanceError(
      -1100,
      `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`,
    ),
  invalidParam: (name: string) => new BinanceError(-1130, `Data sent for parameter '${name}' is not valid.`),
  invalidSymbol: () => new BinanceError(-1121, 'Invalid symbol.'),
  invalidSide: () => new BinanceError(-1117, 'Invalid side.'),
  invalidOrderType: () => new BinanceError(-1116, 'Invalid orderType.'),
  invalidTimeInForce: () => new BinanceError(-1115, 'Invalid timeInForce.'),
  tifNotRequired: () => new BinanceError(-1106, "Parameter 'timeInForce' sent when not required."),
  badSignature: () => new BinanceError(-1022, 'Signature for this request is not valid.'),
  badApiKey: () => new BinanceError(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
  apiKeyFormat: () => new BinanceError(-2014, 'API-key format invalid.', 401),
  timestampAhead: () =>
    new BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  timestampOutside: () => new BinanceError(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  recvWindowTooLarge: () => new BinanceError(-1131, 'recvWindow must be less than 60000'),
  insufficientBalance: () =>
    new BinanceError(-2010, 'Account has insufficient balance for requested action.'),
  wouldTake: () => new BinanceError(-2010, 'Order would immediately match and take.'),
  duplicateOrder: () => new BinanceError(-2010, 'Duplicate order sent.'),
  unknownOrder: () => new BinanceError(-2011, 'Unknown order sent.'),
  noSuchOrder: () => new BinanceError(-2013, 'Order does not exist.'),
  filterFailure: (filter: string) => new BinanceError(-1013, `Filter failure: ${filter}`),
  transferInsufficient: () => new BinanceError(-5002, 'You have insufficient balance.'),
  notFound: () => new BinanceError(-1000, 'Path not found.', 404),
  tooManyParameters: () => new BinanceError(-1101, 'Too many parameters; duplicate values for a parameter.'),
  bodyTooLarge: () => new BinanceError(-1000, 'Request body too large.', 413),
} as const;

/** The filter Binance names for an engine field that broke a rule. */
function filterOf(field: string | undefined): string {
  if (field === 'price') return 'PRICE_FILTER';
  if (field === 'notional') return 'NOTIONAL';
  return 'LOT_SIZE';
}

/** Engine rejection → Binance error. `lookup` decides -2013 (query) vs -2011 (cancel) for a missing order. */
export function fromRejection(error: ExchangeRejection, lookup: 'query' | 'cancel' = 'query'): BinanceError {
  switch (error.code) {
    case 'INSUFFICIENT_FUNDS':
      return binanceErrors.insufficientBalance();
    case 'POST_ONLY_WOULD_CROSS':
      return binanceErrors.wouldTake();
    case 'DUPLICATE_CLIENT_ORDER_ID':
      return binanceErrors.duplicateOrder();
    case 'UNKNOWN_INSTRUMENT':
      return binanceErrors.invalidSymbol();
    case 'ORDER_NOT_FOUND':
      return lookup === 'cancel' ? binanceErrors.unknownOrder() : binanceErrors.noSuchOrder();
    case 'UNKNOWN_ACCOUNT':
      return binanceErrors.badApiKey();
    case 'INVALID_ORDER':
      return binanceErrors.filterFailure(filterOf(error.field));
    case 'FOK_NOT_FILLABLE':
      return new BinanceError(-2010, 'Order would not be fully filled.');
    default:
      return new BinanceError(-1000, error.message);
  }
}

/** Any thrown value → the Binance error to answer; never lets an exception escape a handler. */
export function toBinanceError(error: unknown, lookup: 'query' | 'cancel' = 'query'): BinanceError {
  if (error instanceof BinanceError) return error;
  if (error instanceof ExchangeRejection) return fromRejection(error, lookup);
  return new BinanceError(-1000, error instanceof Error ? error.message : String(error), 500);
}
