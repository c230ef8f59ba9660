import { runService } from '@tm/service-host';
import { flowEngineConfigSpec } from './config/flow-engine.config.js';
import { FlowEngineModule } from './flow-engine.module.js';

await runService({
  name: 'flow-engine',
  configSpec: flowEngineConfigSpec,
  schema: 'flow_engine',
  migrations: [],
  module: FlowEngineModule,
});
