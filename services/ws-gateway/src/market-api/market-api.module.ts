import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CandleHistoryService } from './candle-history.service.js';
import { MarketApiController } from './market-api.controller.js';
import {
  DEFAULT_MARKET_API_OPTIONS,
  MARKET_API_OPTIONS,
  type MarketApiOptions,
} from './market-api.options.js';
import { MarketSnapshotService } from './market-snapshot.service.js';

/**
 * /api/market: snapshots asked of the aggregators over NATS, closed candles read from the MD stream.
 * Needs the host's NATS_LINK, SUBJECTS and LOGGER.
 */
@Module({})
export class MarketApiModule {
  static register(options: Partial<MarketApiOptions> = {}): DynamicModule {
    return {
      module: MarketApiModule,
      imports: [AuthModule],
      controllers: [MarketApiController],
      providers: [
        { provide: MARKET_API_OPTIONS, useValue: { ...DEFAULT_MARKET_API_OPTIONS, ...options } },
        MarketSnapshotService,
        CandleHistoryService,
      ],
    };
  }
}
