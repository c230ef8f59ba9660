import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { TradeHistoryController } from './trade-history.controller.js';
import {
  DEFAULT_TRADE_HISTORY_OPTIONS,
  TRADE_HISTORY_OPTIONS,
  type TradeHistoryOptions,
} from './trade-history.options.js';
import { VenueFillReader } from './venue-fill.reader.js';

/** Our fills and daily P&L, read from venue-connectors' table. Needs the host's DATA_SOURCE. */
@Module({})
export class TradeHistoryModule {
  static register(options: Partial<TradeHistoryOptions> = {}): DynamicModule {
    return {
      module: TradeHistoryModule,
      imports: [AuthModule],
      controllers: [TradeHistoryController],
      providers: [
        { provide: TRADE_HISTORY_OPTIONS, useValue: { ...DEFAULT_TRADE_HISTORY_OPTIONS, ...options } },
        VenueFillReader,
      ],
    };
  }
}
