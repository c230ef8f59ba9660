import { runService } from '@tm/service-host';
import { wsGatewayConfigSpec } from './config/ws-gateway.config.js';
import { usersMigration } from './migrations/0001-users.migration.js';
import { WsGatewayModule } from './ws-gateway.module.js';

await runService({
  name: 'ws-gateway',
  configSpec: wsGatewayConfigSpec,
  schema: 'ws_gateway',
  migrations: [usersMigration],
  module: WsGatewayModule,
});
