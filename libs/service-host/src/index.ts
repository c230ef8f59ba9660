export { runService, type RunningService } from './run-service.js';
export { ApplicationLifecycle, type FeatureHooks } from './application-lifecycle.js';
export { hostedConfigSpec, type DatabasePoolDefaults } from './hosted-config.js';
export { connectNats } from './nats-connection.js';
export type { HostedConfigSpec, ServiceDefinition, ServiceIdentity } from './service-definition.js';
export { ServiceHostError, type ServiceHostErrorCode } from './service-host.error.js';
export {
  DATA_SOURCE,
  DEAD_LETTERS,
  LOGGER,
  NATS_LINK,
  RELIABLE_PUBLISHER,
  SERVICE_CONFIG,
  SERVICE_IDENTITY,
  SUBJECTS,
} from './tokens.js';
