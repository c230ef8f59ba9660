// NewOrderSingle(D) → a FlowStartCommandV1 of the buy or sell verb, or the reason it is refused.
import type { Decimal } from 'decimal.js';
import { BuyInputV1, UnifiedSymbol, type FlowStartCommandV1 } from '@tm/contracts';
import type { Echo } from './execution-report.js';
import { looseOf, orderQtyOf, symbolOf, textOf } from './fix-input.js';
import type { FixOrderSpec } from './fix-order.js';
import { decimalOf, FIX_SIDE, ORD_REJ_REASON, type FixSide, type OrdRejReasonCode } from './fix-values.js';
import { idempotencyKeyOf, orderTagOf, requesterOf } from './order-keys.js';

/** What the desk knows of the session a message came on. */
export interface OrderSessionInfo {
  readonly key: string;
  readonly clientId: string;
  readonly allowedAccounts: readonly string[];
}

export type NewOrderParse =
  | { ok: true; spec: FixOrderSpec; command: FlowStartCommandV1 }
  | { ok: false; echo: Echo; reason: OrdRejReasonCode; text: string };

const ACCOUNT = /^[A-Za-z0-9_-]{1,64}$/;
const VENUE = /^[A-Za-z0-9_-]{1,64}$/;
/** ClOrdID(11): the flow's causationId allows 200 characters; 64 is what clients send in practice. */
const MAX_CL_ORD_ID = 64;
/** ExecInst(18) ParticipateDoNotInitiate: post-only. */
const PARTICIPATE_DONT_INITIATE = '6';

class Refusal {
  constructor(
    readonly reason: OrdRejReasonCode,
    readonly text: string,
  ) {}
}

export function parseNewOrderSingle(
  session: OrderSessionInfo,
  raw: unknown,
  defaultVenue: string,
  receivedAt: number,
): NewOrderParse {
  const message = looseOf(raw);
  const clOrdId = textOf(message['ClOrdID']);
  const symbol = symbolOf(message);
  const sideText = textOf(message['Side']);
  const accountText = textOf(message['Account']);
  const orderQty = decimalOf(orderQtyOf(message));
  const echo: Echo = {
    clOrdId: clOrdId ?? 'NONE',
    symbol: symbol ?? 'NONE',
    side: sideText ?? FIX_SIDE.Buy,
    account: accountText ?? undefined,
    orderQty,
  };
  try {
    if (clOrdId === null) throw new Refusal(ORD_REJ_REASON.Other, 'ClOrdID(11) is required');
    if (clOrdId.length > MAX_CL_ORD_ID)
      throw new Refusal(ORD_REJ_REASON.Other, `ClOrdID(11) must be at most ${MAX_CL_ORD_ID} characters`);
    const side = sideOf(sideText);
    const account = accountOf(session, accountText);
    if (symbol === null || !UnifiedSymbol.safeParse(symbol).success)
      throw new Refusal(
        ORD_REJ_REASON.UnknownSymbol,
        `Symbol(55) "${symbol ?? ''}" must be a unified symbol like BTC/USDT`,
      );
    if (orderQty === null || orderQty.lte(0))
      throw new Refusal(ORD_REJ_REASON.IncorrectQuantity, 'OrderQty(38) must be a number greater than 0');
    const ordType = textOf(message['OrdType']);
    if (ordType !== '1' && ordType !== '2')
      throw new Refusal(
        ORD_REJ_REASON.UnsupportedOrderCharacteristic,
        `OrdType(40) "${ordType ?? ''}" is not supported: 1 (market) or 2 (limit)`,
      );
    const price = priceOf(ordType, message['Price']);
    const execInst = textOf(message['ExecInst']);
    const makerOnly = execInst !== null && execInst.split(/\s+/).includes(PARTICIPATE_DONT_INITIATE);
    const tif = textOf(message['TimeInForce']);
    const verbTimeInForce = timeInForceOf(ordType, tif, makerOnly);
    if (makerOnly && ordType === '1')
      throw new Refusal(
        ORD_REJ_REASON.UnsupportedOrderCharacteristic,
        'ExecInst(18)=6 (post-only) cannot go with OrdType(40)=1: a market order always takes',
      );
    const venue = textOf(message['ExDestination']) ?? defaultVenue;
    if (!VENUE.test(venue))
      throw new Refusal(ORD_REJ_REASON.Other, `ExDestination(100) "${venue}" is not a venue id`);

    const tag = orderTagOf(session.clientId, clOrdId);
    const input = {
      venue,
      instrument: symbol,
      kind: ordType === '2' ? 'limit' : 'market',
      ...(price !== null ? { price: price.toFixed() } : {}),
      makerOnly,
      ...(verbTimeInForce !== 'GTC' && { timeInForce: verbTimeInForce }),
      tag,
      amount: orderQty.toFixed(),
    };
    // The flow engine checks again; checking here turns a contract drift into a clear Text at once.
    const checked = BuyInputV1.safeParse(input);
    if (!checked.success)
      throw new Refusal(
        ORD_REJ_REASON.Other,
        `the order cannot be expressed as a flow: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const command: FlowStartCommandV1 = {
      v: 1,
      type: 'start',
      idempotencyKey: idempotencyKeyOf(session.clientId, clOrdId),
      account,
      verb: side === FIX_SIDE.Buy ? 'buy' : 'sell',
      input,
      requester: requesterOf(session.key),
      causationId: clOrdId,
    };
    const spec: FixOrderSpec = {
      sessionKey: session.key,
      clientId: session.clientId,
      clOrdId,
      orderId: '',
      account,
      venue,
      symbol,
      side,
      ordType,
      orderQty,
      price,
      timeInForce: tif,
      execInst,
      tag,
      receivedAt,
    };
    return { ok: true, spec, command };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, echo, reason: error.reason, text: error.text };
    throw error;
  }
}

function sideOf(side: string | null): FixSide {
  if (side === FIX_SIDE.Buy || side === FIX_SIDE.Sell) return side;
  throw new Refusal(
    ORD_REJ_REASON.UnsupportedOrderCharacteristic,
    `Side(54) "${side ?? ''}" is not supported: 1 (buy) or 2 (sell)`,
  );
}

/** Account(1) must be one the session may trade; absent, the session's only account is meant. */
function accountOf(session: OrderSessionInfo, account: string | null): string {
  if (account === null) {
    const only = session.allowedAccounts.length === 1 ? session.allowedAccounts[0] : undefined;
    if (only !== undefined) return only;
    throw new Refusal(ORD_REJ_REASON.UnknownAccount, 'Account(1) is required: the session may trade several');
  }
  if (!ACCOUNT.test(account) || !session.allowedAccounts.includes(account))
    throw new Refusal(
      ORD_REJ_REASON.UnknownAccount,
      `Account(1) "${account}" is not an account of this session`,
    );
  return account;
}

function priceOf(ordType: '1' | '2', raw: unknown): Decimal | null {
  if (raw === undefined || raw === null || raw === '') {
    if (ordType === '2')
      throw new Refusal(ORD_REJ_REASON.Other, 'Price(44) is required for a limit order (OrdType(40)=2)');
    return null;
  }
  if (ordType === '1')
    throw new Refusal(
      ORD_REJ_REASON.UnsupportedOrderCharacteristic,
      'Price(44) is not allowed on a market order (OrdType(40)=1)',
    );
  const price = decimalOf(raw);
  if (price === null || price.lte(0))
    throw new Refusal(ORD_REJ_REASON.Other, 'Price(44) must be greater than 0');
  return price;
}

/**
 * TimeInForce(59) as the verbs' `timeInForce`: 0 Day and 1 GTC rest (GTC: the verb has no expiry, so Day is
 * not ended at the close); 3 IOC and 4 FOK on a limit order; a market order is IOC at the venue anyway.
 */
function timeInForceOf(ordType: '1' | '2', tif: string | null, makerOnly: boolean): 'GTC' | 'IOC' | 'FOK' {
  if (tif === null || tif === '0' || tif === '1') return 'GTC';
  if (tif === '3' && ordType === '1') return 'GTC';
  if ((tif === '3' || tif === '4') && ordType === '2' && !makerOnly) return tif === '3' ? 'IOC' : 'FOK';
  const names: Record<string, string> = {
    '2': 'OPG',
    '3': 'IOC',
    '4': 'FOK',
    '5': 'GTX',
    '6': 'GTD',
    '7': 'CLS',
  };
  throw new Refusal(
    ORD_REJ_REASON.UnsupportedOrderCharacteristic,
    `TimeInForce(59)=${tif} (${names[tif] ?? 'unknown'}) is not supported${makerOnly ? ' with ExecInst(18)=6 (post-only rests)' : ordType === '1' ? ' for a market order' : ''}: 0 Day, 1 GTC, 3 IOC or 4 FOK`,
  );
}
