import { Module } from '@nestjs/common';
import { PushGateway } from './push/push.gateway.js';

/** ws-gateway: socket.io push of the watch tree, the REST API and authentication. */
@Module({ providers: [PushGateway] })
export class WsGatewayModule {}
