import { runService } from '@tm/service-host';
import { fixServerConfigSpec } from './config/fix-server.config.js';
import { FixServerModule } from './fix-server.module.js';

await runService({
  name: 'fix-server',
  configSpec: fixServerConfigSpec,
  schema: 'fix_server',
  migrations: [],
  module: FixServerModule,
});
