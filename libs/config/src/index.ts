export { PRODUCT_DEFAULTS, type ProductDefaults } from './product-defaults.js';
export { ConfigError } from './config.exception.js';
export type { ConfigField } from './config-field.js';
export { env } from './env.js';
export { loadConfig, describeConfig, type ConfigSpec, type ConfigOf } from './load-config.js';
export { platformConfigSpec } from './platform-config.js';
