import { runService } from '@tm/service-host';
import { persisterConfigSpec } from './config/persister.config.js';
import { PersisterModule } from './persister.module.js';

await runService({
  name: 'persister',
  configSpec: persisterConfigSpec,
  schema: 'persister',
  migrations: [],
  module: PersisterModule,
});
