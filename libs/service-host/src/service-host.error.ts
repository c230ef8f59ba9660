/** Errors of the service host; `code` is what a NATS control reply carries. */
export type ServiceHostErrorCode = 'DUPLICATE_FEATURE' | 'UNKNOWN_FEATURE' | 'UNSUPPORTED' | 'DRAIN_TIMEOUT';

export class ServiceHostError extends Error {
  constructor(
    readonly code: ServiceHostErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceHostError';
  }
}
