import { runService } from '@tm/service-host';
import { observabilityConfigSpec } from './config/observability.config.js';
import { ObservabilityModule } from './observability.module.js';

await runService({
  name: 'observability',
  configSpec: observabilityConfigSpec,
  schema: 'observability',
  migrations: [],
  module: ObservabilityModule,
});
