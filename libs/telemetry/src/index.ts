export { createLogger, type Logger, type LoggerOptions, type LogLine } from './logger.js';
export { MetricsRegistry, type MetricsRegistryOptions } from './metrics-registry.js';
export { EventLoopLagMonitor } from './event-loop-lag-monitor.js';
export { CpuSampler } from './cpu-sampler.js';
export { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
