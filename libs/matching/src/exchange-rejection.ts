// The one error the exchange throws: a request refused before it changed anything.
export type ExchangeRejectionCode =
  | 'INSUFFICIENT_FUNDS'
  | 'INVALID_ORDER'
  | 'POST_ONLY_WOULD_CROSS'
  | 'DUPLICATE_CLIENT_ORDER_ID'
  | 'UNKNOWN_INSTRUMENT'
  | 'ORDER_NOT_FOUND'
  | 'UNKNOWN_ACCOUNT'
  | 'FOK_NOT_FILLABLE';

export class ExchangeRejection extends Error {
  readonly code: ExchangeRejectionCode;
  /** The request field at fault, when one is ('price', 'amount', 'notional', 'instrument', ...). */
  readonly field?: string;

  constructor(code: ExchangeRejectionCode, message: string, field?: string) {
    super(message);
    this.name = 'ExchangeRejection';
    this.code = code;
    if (field !== undefined) this.field = field;
  }
}
