import { runService } from '@tm/service-host';
import { persisterConfigSpec } from './config/persister.config.js';
import { digestMigration } from './migrations/0002-digest.migration.js';
import { persisterTablesMigration } from './migrations/0001-persister-tables.migration.js';
import { PERSISTER_SCHEMA } from './persister-schema.js';
import { PersisterModule } from './persister.module.js';

await runService({
  name: 'persister',
  configSpec: persisterConfigSpec,
  schema: PERSISTER_SCHEMA,
  migrations: [persisterTablesMigration, digestMigration],
  module: PersisterModule,
});
