import { Controller, Get, Inject, Query, UseFilters, UseGuards } from '@nestjs/common';
import type { AggregateV1 } from '@tm/contracts';
import { AuthExceptionFilter } from '../auth/auth-exception.filter.js';
import { BearerAuthGuard } from '../auth/bearer-auth.guard.js';
import { ZodQueryPipe } from '../openapi/zod-query.pipe.js';
import { CandleHistoryService } from './candle-history.service.js';
import { MarketSnapshotService } from './market-snapshot.service.js';
import { MarketApiExceptionFilter } from './market-api-exception.filter.js';
import { CandlesQuery, SnapshotQuery, type CandleList } from './market-api.dto.js';

/** `GET /api/market/snapshot` and `GET /api/market/candles`, for any signed-in role (MARKET_API_ROUTES). */
@Controller('api/market')
@UseFilters(AuthExceptionFilter, MarketApiExceptionFilter)
@UseGuards(BearerAuthGuard)
export class MarketApiController {
  constructor(
    @Inject(MarketSnapshotService) private readonly snapshots: MarketSnapshotService,
    @Inject(CandleHistoryService) private readonly history: CandleHistoryService,
  ) {}

  @Get('snapshot')
  snapshot(@Query(new ZodQueryPipe(SnapshotQuery)) query: SnapshotQuery): Promise<AggregateV1> {
    return this.snapshots.snapshot(query.instrument);
  }

  @Get('candles')
  async candles(@Query(new ZodQueryPipe(CandlesQuery)) query: CandlesQuery): Promise<CandleList> {
    const candles = await this.history.candles({
      instrument: query.instrument,
      intervalMicros: query.interval.micros,
      ...(query.from === undefined ? {} : { fromMicros: query.from.micros }),
      toMicros: query.to?.micros ?? Date.now() * 1_000,
      limit: query.limit,
    });
    return {
      instrument: query.instrument,
      interval: query.interval.text,
      intervalMicros: query.interval.micros,
      candles,
    };
  }
}
