export enum AggregationErrorCode {
  InvalidSettings = 'INVALID_SETTINGS',
  InvalidState = 'INVALID_STATE',
  InvalidTickTime = 'INVALID_TICK_TIME',
}

/** A programming or configuration error (bad settings, a state that does not parse); bad market data is never thrown. */
export class AggregationError extends Error {
  constructor(
    readonly code: AggregationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AggregationError';
  }
}
