export { BinanceSimulator } from './binance-simulator.js';
export { BinanceError } from './binance-error.js';
export type { SimulatorFaults } from './faults.js';
export {
  DEFAULT_LIMITS,
  type BinanceSimulatorOptions,
  type SimulatorAccount,
  type SimulatorLimits,
  type SimulatorMarketMaker,
  type SimulatorStats,
} from './simulator-options.js';
