import { Controller, Get, Header, Inject, Query, UseFilters, UseGuards } from '@nestjs/common';
import { AuthExceptionFilter } from '../auth/auth-exception.filter.js';
import { BearerAuthGuard } from '../auth/bearer-auth.guard.js';
import { parseInstant } from '../openapi/query-fields.js';
import { ZodQueryPipe } from '../openapi/zod-query.pipe.js';
import { dailyPnl } from './daily-pnl.js';
import { fillsCsv } from './fills-csv.js';
import { RolesGuard } from './roles.guard.js';
import {
  DailyPnlQuery,
  TradesQuery,
  type DailyPnlReport,
  type TradeFill,
  type TradeList,
} from './trade-history.dto.js';
import { TRADE_HISTORY_ROLES } from './trade-history.routes.js';
import { VenueFillReader } from './venue-fill.reader.js';

const DAY_MICROS = 86_400_000_000;

/** Our own fills (`/api/trades`, `/api/trades.csv`) and the realized P&L they make (`/api/pnl/daily`). */
@Controller('api')
@UseFilters(AuthExceptionFilter)
@UseGuards(BearerAuthGuard, new RolesGuard(TRADE_HISTORY_ROLES))
export class TradeHistoryController {
  constructor(@Inject(VenueFillReader) private readonly fills: VenueFillReader) {}

  @Get('trades')
  async trades(@Query(new ZodQueryPipe(TradesQuery)) query: TradesQuery): Promise<TradeList> {
    // One more than the limit tells whether the answer was cut.
    const fills = await this.read(query, query.limit + 1);
    return { fills: fills.slice(0, query.limit), truncated: fills.length > query.limit };
  }

  @Get('trades.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="trades.csv"')
  async tradesCsv(@Query(new ZodQueryPipe(TradesQuery)) query: TradesQuery): Promise<string> {
    return fillsCsv(await this.read(query, query.limit));
  }

  @Get('pnl/daily')
  async dailyPnl(@Query(new ZodQueryPipe(DailyPnlQuery)) query: DailyPnlQuery): Promise<DailyPnlReport> {
    // Every fill before the range's end, from the first: the cost a day closes against was built earlier.
    const end = query.to === undefined ? undefined : parseInstant(query.to);
    const fills = await this.fills.fills({
      account: query.account,
      venue: query.venue,
      instrument: query.instrument,
      ...(end === undefined ? {} : { toMicros: end.micros + DAY_MICROS }),
    });
    return { method: 'average-cost', days: dailyPnl(fills, { fromDate: query.from, toDate: query.to }) };
  }

  private read(query: TradesQuery, limit: number): Promise<TradeFill[]> {
    return this.fills.fills({
      account: query.account,
      venue: query.venue,
      instrument: query.instrument,
      fromMicros: query.from?.micros,
      toMicros: query.to?.micros,
      limit,
    });
  }
}
