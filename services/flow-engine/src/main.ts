import { runService } from '@tm/service-host';
import { flowEngineConfigSpec } from './config/flow-engine.config.js';
import { FLOW_ENGINE_SCHEMA } from './flow-engine-schema.js';
import { FlowEngineModule } from './flow-engine.module.js';
import { flowsMigration } from './migrations/0001-flows.migration.js';

await runService({
  name: 'flow-engine',
  configSpec: flowEngineConfigSpec,
  schema: FLOW_ENGINE_SCHEMA,
  migrations: [flowsMigration],
  module: FlowEngineModule,
});
