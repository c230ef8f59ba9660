import { runService } from '@tm/service-host';
import { aggregatorConfigSpec } from './config/aggregator.config.js';
import { AggregatorModule } from './aggregator.module.js';

await runService({
  name: 'aggregator',
  configSpec: aggregatorConfigSpec,
  schema: 'aggregator',
  migrations: [],
  module: AggregatorModule,
});
