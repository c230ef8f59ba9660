export enum ShardingErrorCode {
  SlotOutOfRange = 'SLOT_OUT_OF_RANGE',
  NoInstances = 'NO_INSTANCES',
  InvalidSchemaName = 'INVALID_SCHEMA_NAME',
}

/** A slot outside 1..SLOT_COUNT; a RangeError, so callers that only know the standard errors still match it. */
export class SlotOutOfRangeError extends RangeError {
  readonly code = ShardingErrorCode.SlotOutOfRange;

  constructor(readonly slot: unknown) {
    super(`slot ${String(slot)} is not an integer in 1..32767`);
    this.name = 'SlotOutOfRangeError';
  }
}

export class ShardingError extends Error {
  constructor(
    readonly code: Exclude<ShardingErrorCode, ShardingErrorCode.SlotOutOfRange>,
    message: string,
  ) {
    super(message);
    this.name = 'ShardingError';
  }
}
