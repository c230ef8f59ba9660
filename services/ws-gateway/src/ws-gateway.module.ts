import { Module } from '@nestjs/common';

/** ws-gateway: socket.io push, the REST API, authentication and the watch tree per connection. The host gives it lifecycle, control, health and connections; its features land with issue 5. */
@Module({})
export class WsGatewayModule {}
