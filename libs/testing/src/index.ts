export { expectEventually } from './expect-eventually.js';
export { freePort, freePortRange } from './free-port.js';
export { NatsServerProcess } from './nats-server-process.js';
export { PostgresServerProcess } from './postgres-server-process.js';
export { TcpCutProxy } from './tcp-cut-proxy.js';
export { uniqueSubjectRoot } from './subject-root.js';
export { streamPayloads } from './stream-payloads.js';
export { TestCertificate } from './test-certificate.js';
export {
  FixLiquidityProvider,
  type FixLiquidityProviderOptions,
  type QuotedBook,
  type QuoteLevel,
} from './fix-liquidity-provider.js';
export {
  fixInitiatorConfig,
  openFixSocket,
  runFixSession,
  type FixInitiatorOptions,
} from './fix-initiator.js';
