import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import { FlowApiModule } from './flow-api/flow-api.module.js';
import { MarketApiModule } from './market-api/market-api.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { PollController } from './push/poll.controller.js';
import { PushGateway } from './push/push.gateway.js';
import { TradeHistoryModule } from './trade-history/trade-history.module.js';

/**
 * ws-gateway: authentication (REST login and refresh, the socket handshake), socket.io push of the watch
 * tree, the flow API (REST and socket.io, with live progress), and the REST API (market snapshots and
 * candles, own trades and daily P&L, the OpenAPI document).
 */
@Module({
  imports: [
    AuthModule,
    MarketApiModule.register(),
    TradeHistoryModule.register(),
    FlowApiModule,
    OpenApiModule,
  ],
  controllers: [PollController],
  providers: [PushGateway],
})
export class WsGatewayModule {}
