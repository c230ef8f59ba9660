// Every REST route of the gateway, and the answers the OpenAPI document names as components.
import { AggregateV1, CandleV1, FlowStateV1 } from '@tm/contracts';
import { FlowVerbList } from '../flow-api/flow-api.dto.js';
import { FLOW_API_ROUTES } from '../flow-api/flow-api.routes.js';
import { CandleList } from '../market-api/market-api.dto.js';
import { MARKET_API_ROUTES } from '../market-api/market-api.routes.js';
import { DailyPnlReport, DailyPnlRow, TradeFill, TradeList } from '../trade-history/trade-history.dto.js';
import { TRADE_HISTORY_ROUTES } from '../trade-history/trade-history.routes.js';
import { GATEWAY_ROUTES, Health, PollAnswer, Readiness, TokenPair } from './gateway-routes.js';
import type { RouteDescription } from './route-description.js';

export const OPENAPI_PATH = '/api/openapi.json';

const OPENAPI_ROUTE: RouteDescription = {
  method: 'get',
  path: OPENAPI_PATH,
  operationId: 'getOpenApiDocument',
  summary: 'This document',
  tag: 'meta',
  access: 'public',
  responses: { 200: { description: 'the OpenAPI 3.1 document of the gateway' } },
};

export const REST_API_ROUTES: readonly RouteDescription[] = [
  ...GATEWAY_ROUTES,
  ...MARKET_API_ROUTES,
  ...TRADE_HISTORY_ROUTES,
  ...FLOW_API_ROUTES,
  OPENAPI_ROUTE,
];

export const NAMED_SCHEMAS = {
  TokenPair,
  PollAnswer,
  Health,
  Readiness,
  AggregateV1,
  CandleV1,
  CandleList,
  TradeFill,
  TradeList,
  DailyPnlRow,
  DailyPnlReport,
  FlowVerbList,
  FlowStateV1,
};
