import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import { PollController } from './push/poll.controller.js';
import { PushGateway } from './push/push.gateway.js';

/** ws-gateway: authentication (REST login and refresh, the socket handshake) and socket.io push of the watch tree. */
@Module({ imports: [AuthModule], controllers: [PollController], providers: [PushGateway] })
export class WsGatewayModule {}
