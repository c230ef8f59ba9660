// Trading: place (and test), query, cancel, cancel-all, open orders, cancel-replace.
import { ExchangeRejection, type ExchangeOrder, type InstrumentSpec, type OrderRequest } from '@tm/matching';

import { BinanceError, binanceErrors, fromRejection } from '../../binance-error.js';
import {
  cancelOrderJson,
  placeOrderJson,
  queryOrderJson,
  type OrderResponseType,
} from '../../binance-format.js';
import { instrumentOf, type SimulatorContext } from '../../simulator-context.js';
import { accountOf, type Endpoint } from '../endpoint.js';
import type { RequestParams } from '../request-params.js';
import { WEIGHTS } from '../request-weights.js';

const API = '/api/v3';
const SIDES = ['BUY', 'SELL'] as const;
const TYPES = ['LIMIT', 'MARKET', 'LIMIT_MAKER'] as const;
const KNOWN_UNSUPPORTED_TYPES = ['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];
const TIFS = ['GTC', 'IOC', 'FOK'] as const;
const RESP_TYPES = ['ACK', 'RESULT', 'FULL'] as const;

interface ParsedOrder {
  spec: InstrumentSpec;
  request: OrderRequest;
  respType: OrderResponseType;
}

/** Binance order parameters (with an optional name prefix unused today) → an engine request. */
function parseOrder(context: SimulatorContext, params: RequestParams): ParsedOrder {
  const spec = instrumentOf(context, params.required('symbol'));
  const side = params.oneOf('side', SIDES, binanceErrors.invalidSide);
  if (side === undefined) throw binanceErrors.mandatory('side');
  const rawType = params.required('type').toUpperCase();
  if (KNOWN_UNSUPPORTED_TYPES.includes(rawType))
    throw new BinanceError(-1013, 'This order type is not supported by the simulator.');
  const type = params.oneOf('type', TYPES, binanceErrors.invalidOrderType);
  if (type === undefined) throw binanceErrors.mandatory('type');
  const tif = params.oneOf('timeInForce', TIFS, binanceErrors.invalidTimeInForce);
  const quantity = params.optionalDecimal('quantity');
  const quoteOrderQty = params.optionalDecimal('quoteOrderQty');
  const price = params.optionalDecimal('price');
  const clientOrderId = params.optional('newClientOrderId');
  if (clientOrderId !== undefined && !/^[.A-Za-z0-9_:/-]{1,36}$/.test(clientOrderId))
    throw binanceErrors.invalidParam('newClientOrderId');
  const request: OrderRequest = {
    instrument: spec.symbol,
    side: side === 'BUY' ? 'buy' : 'sell',
    type: type === 'MARKET' ? 'market' : 'limit',
  };
  if (clientOrderId !== undefined) request.clientOrderId = clientOrderId;
  if (type === 'MARKET') {
    if (tif !== undefined) throw binanceErrors.tifNotRequired();
    if (quantity === undefined && quoteOrderQty === undefined) throw binanceErrors.mandatory('quantity');
    if (quantity !== undefined && quoteOrderQty !== undefined)
      throw new BinanceError(-1106, "Parameter 'quoteOrderQty' sent when not required.");
    if (quantity !== undefined) request.amount = quantity;
    else request.quoteAmount = quoteOrderQty;
  } else {
    if (quoteOrderQty !== undefined)
      throw new BinanceError(-1106, "Parameter 'quoteOrderQty' sent when not required.");
    if (price === undefined) throw binanceErrors.mandatory('price');
    if (quantity === undefined) throw binanceErrors.mandatory('quantity');
    request.price = price;
    request.amount = quantity;
    if (type === 'LIMIT_MAKER') {
      if (tif !== undefined) throw binanceErrors.tifNotRequired();
      request.timeInForce = 'PO';
    } else {
      if (tif === undefined) throw binanceErrors.mandatory('timeInForce');
      request.timeInForce = tif;
    }
  }
  const respType = params.oneOf('newOrderRespType', RESP_TYPES, () =>
    binanceErrors.invalidParam('newOrderRespType'),
  );
  return { spec, request, respType: respType ?? 'FULL' };
}

/** orderId / origClientOrderId of the order a request refers to. */
function orderRef(
  params: RequestParams,
  idName = 'orderId',
  clientIdName = 'origClientOrderId',
): { orderId?: number; clientOrderId?: string } {
  const orderId = params.optionalInt(idName);
  const clientOrderId = params.optional(clientIdName);
  if (orderId === undefined && clientOrderId === undefined)
    throw new BinanceError(
      -1102,
      `Param '${clientIdName}' or '${idName}' must be sent, but both were empty/null!`,
    );
  return orderId !== undefined ? { orderId } : { clientOrderId };
}

function rethrow(error: unknown, lookup: 'query' | 'cancel'): never {
  if (error instanceof ExchangeRejection) throw fromRejection(error, lookup);
  throw error;
}

export function orderEndpoints(context: SimulatorContext): Endpoint[] {
  const { exchange, symbols } = context;
  const cancelId = (params: RequestParams): string =>
    params.optional('newClientOrderId') ?? `sim-cancel-${context.nextId()}`;
  const cancelJson = (order: ExchangeOrder, params: RequestParams, name = 'newClientOrderId') =>
    cancelOrderJson(order, params.optional(name) ?? `sim-cancel-${context.nextId()}`, symbols);

  return [
    {
      method: 'POST',
      path: `${API}/order`,
      security: 'SIGNED',
      weight: 1,
      placesOrder: true,
      handle: (request) => {
        const parsed = parseOrder(context, request.params);
        try {
          const placed = exchange.placeOrder(accountOf(request).account, parsed.request);
          return placeOrderJson(placed.order, placed.fills, symbols, parsed.respType);
        } catch (error) {
          rethrow(error, 'query');
        }
      },
    },
    {
      method: 'POST',
      path: `${API}/order/test`,
      security: 'SIGNED',
      weight: 1,
      handle: (request) => {
        parseOrder(context, request.params);
        return {};
      },
    },
    {
      method: 'GET',
      path: `${API}/order`,
      security: 'SIGNED',
      weight: 4,
      handle: (request) => {
        const spec = instrumentOf(context, request.params.required('symbol'));
        try {
          const order = exchange.getOrder(accountOf(request).account, spec.symbol, orderRef(request.params));
          return queryOrderJson(order, symbols);
        } catch (error) {
          rethrow(error, 'query');
        }
      },
    },
    {
      method: 'DELETE',
      path: `${API}/order`,
      security: 'SIGNED',
      weight: 1,
      handle: (request) => {
        const spec = instrumentOf(context, request.params.required('symbol'));
        try {
          const order = exchange.cancelOrder(
            accountOf(request).account,
            spec.symbol,
            orderRef(request.params),
          );
          return cancelJson(order, request.params);
        } catch (error) {
          rethrow(error, 'cancel');
        }
      },
    },
    {
      method: 'DELETE',
      path: `${API}/openOrders`,
      security: 'SIGNED',
      weight: 1,
      handle: (request) => {
        const spec = instrumentOf(context, request.params.required('symbol'));
        const account = accountOf(request).account;
        return exchange
          .openOrders(account, spec.symbol)
          .map((open) => exchange.cancelOrder(account, spec.symbol, { orderId: open.orderId }))
          .map((order) => cancelOrderJson(order, cancelId(request.params), symbols));
      },
    },
    {
      method: 'GET',
      path: `${API}/openOrders`,
      security: 'SIGNED',
      weight: (params) => WEIGHTS.openOrders(params.has('symbol')),
      handle: (request) => {
        const symbolId = request.params.optional('symbol');
        const instrument = symbolId === undefined ? undefined : instrumentOf(context, symbolId).symbol;
        return exchange
          .openOrders(accountOf(request).account, instrument)
          .map((o) => queryOrderJson(o, symbols));
      },
    },
    {
      method: 'POST',
      path: `${API}/order/cancelReplace`,
      security: 'SIGNED',
      weight: 1,
      placesOrder: true,
      handle: (request) => {
        const { params } = request;
        const account = accountOf(request).account;
        const mode = params.required('cancelReplaceMode').toUpperCase();
        if (mode !== 'STOP_ON_FAILURE' && mode !== 'ALLOW_FAILURE')
          throw binanceErrors.invalidParam('cancelReplaceMode');
        const parsed = parseOrder(context, params);
        const ref = orderRef(params, 'cancelOrderId', 'cancelOrigClientOrderId');
        const failed = (code: number, msg: string, data: Record<string, unknown>, status = 400) =>
          new BinanceError(code, msg, status, data);
        // The cancel is checked first so a failure can be reported the way Binance reports it.
        let target: ExchangeOrder | undefined;
        try {
          target = exchange.getOrder(account, parsed.spec.symbol, ref);
        } catch (error) {
          if (!(error instanceof ExchangeRejection)) throw error;
        }
        if (target === undefined || (target.status !== 'NEW' && target.status !== 'PARTIALLY_FILLED')) {
          throw failed(-2022, 'Order cancel-replace failed.', {
            cancelResult: 'FAILURE',
            newOrderResult: 'NOT_ATTEMPTED',
            cancelResponse: binanceErrors.unknownOrder().body(),
            newOrderResponse: null,
          });
        }
        const targetId = target.orderId;
        try {
          const { canceled, placed } = exchange.cancelReplace(account, ref, parsed.request);
          return {
            cancelResult: 'SUCCESS',
            newOrderResult: 'SUCCESS',
            cancelResponse: cancelJson(canceled, params, 'cancelNewClientOrderId'),
            newOrderResponse: placeOrderJson(placed.order, placed.fills, symbols, parsed.respType),
          };
        } catch (error) {
          if (!(error instanceof ExchangeRejection)) throw error;
          // The engine's cancel-replace is all-or-nothing; Binance's STOP_ON_FAILURE only stops when the
          // cancel fails, so a refused new order still leaves the old one canceled (-2021).
          const canceled = exchange.cancelOrder(account, parsed.spec.symbol, { orderId: targetId });
          throw failed(
            -2021,
            'Order cancel-replace partially failed.',
            {
              cancelResult: 'SUCCESS',
              newOrderResult: 'FAILURE',
              cancelResponse: cancelJson(canceled, params, 'cancelNewClientOrderId'),
              newOrderResponse: fromRejection(error, 'query').body(),
            },
            409,
          );
        }
      },
    },
  ];
}
