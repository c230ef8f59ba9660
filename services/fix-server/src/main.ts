import { runService } from '@tm/service-host';
import { fixServerConfigSpec } from './config/fix-server.config.js';
import { FIX_SERVER_SCHEMA } from './fix-server-schema.js';
import { FixServerModule } from './fix-server.module.js';
import { fixSessionsMigration } from './migrations/0001-fix-sessions.migration.js';

await runService({
  name: 'fix-server',
  configSpec: fixServerConfigSpec,
  schema: FIX_SERVER_SCHEMA,
  migrations: [fixSessionsMigration],
  module: FixServerModule,
});
