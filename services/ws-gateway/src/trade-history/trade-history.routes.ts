import { z } from 'zod';
import type { Role } from '../auth/roles.js';
import type { RouteDescription } from '../openapi/route-description.js';
import {
  DailyPnlQuery,
  DailyPnlReport,
  MAX_FILL_LIMIT,
  TradeList,
  TradesQuery,
} from './trade-history.dto.js';

/** Fills and P&L are a trader's business; a viewer watches markets only. */
export const TRADE_HISTORY_ROLES: readonly Role[] = ['trader', 'admin'];

const emptyWithoutVenueConnectors =
  'An empty answer, not an error, when venue-connectors never ran against this database.';

/** /api/trades, /api/trades.csv and /api/pnl/daily, for traders and admins. */
export const TRADE_HISTORY_ROUTES: readonly RouteDescription[] = [
  {
    method: 'get',
    path: '/api/trades',
    operationId: 'listTrades',
    summary: 'Our fills at the venues, oldest first',
    description: `At most \`limit\` (default 1000, at most ${MAX_FILL_LIMIT}). ${emptyWithoutVenueConnectors}`,
    tag: 'trades',
    access: TRADE_HISTORY_ROLES,
    query: TradesQuery,
    responses: { 200: { description: 'the fills', schema: TradeList } },
  },
  {
    method: 'get',
    path: '/api/trades.csv',
    operationId: 'exportTradesCsv',
    summary: 'The same fills as a CSV download (RFC 4180, a header line)',
    description: emptyWithoutVenueConnectors,
    tag: 'trades',
    access: TRADE_HISTORY_ROLES,
    query: TradesQuery,
    responses: {
      200: {
        description: 'time,venue,account,instrument,side,price,amount,fee_cost,fee_currency,liquidity,…',
        schema: z.string(),
        contentType: 'text/csv',
        headers: { 'Content-Disposition': 'attachment; filename="trades.csv"' },
      },
    },
  },
  {
    method: 'get',
    path: '/api/pnl/daily',
    operationId: 'getDailyPnl',
    summary: 'Realized P&L per UTC day per venue, account and instrument (average cost)',
    description:
      'Quote-currency fees are subtracted; fees in other currencies are listed, not converted. ' +
      emptyWithoutVenueConnectors,
    tag: 'trades',
    access: TRADE_HISTORY_ROLES,
    query: DailyPnlQuery,
    responses: { 200: { description: 'one row per day with fills', schema: DailyPnlReport } },
  },
];
