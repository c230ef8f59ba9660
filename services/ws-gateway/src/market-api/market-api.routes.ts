import { AggregateV1 } from '@tm/contracts';
import { ROLES } from '../auth/roles.js';
import { CodedErrorBody } from '../openapi/api-error.schema.js';
import type { RouteDescription } from '../openapi/route-description.js';
import { CandleList, CandlesQuery, MAX_CANDLE_LIMIT, SnapshotQuery } from './market-api.dto.js';

const unavailable = {
  description: 'no aggregator answered in time (none owns the slot yet, or the MD stream is missing)',
  schema: CodedErrorBody,
};

/** /api/market, for every signed-in role. */
export const MARKET_API_ROUTES: readonly RouteDescription[] = [
  {
    method: 'get',
    path: '/api/market/snapshot',
    operationId: 'getMarketSnapshot',
    summary: "An instrument's latest aggregate, asked of the aggregator that owns its slot",
    tag: 'market',
    access: ROLES,
    query: SnapshotQuery,
    responses: {
      200: { description: 'the latest AggregateV1', schema: AggregateV1 },
      404: { description: 'the owner has no market data for the instrument yet', schema: CodedErrorBody },
      502: { description: 'the aggregator answered something unusable', schema: CodedErrorBody },
      503: unavailable,
    },
  },
  {
    method: 'get',
    path: '/api/market/candles',
    operationId: 'listCandles',
    summary: 'Closed candles of one instrument and interval from the MD stream (kept one day)',
    description:
      `With \`from\`: the first \`limit\` candles starting at or after it; without: the latest \`limit\` ` +
      `before \`to\` (default now). Oldest first; \`limit\` at most ${MAX_CANDLE_LIMIT}.`,
    tag: 'market',
    access: ROLES,
    query: CandlesQuery,
    responses: {
      200: { description: 'the candles, oldest first', schema: CandleList },
      503: unavailable,
    },
  },
];
