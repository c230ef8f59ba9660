export type PushErrorCode = 'INVALID_TOPIC' | 'ILLEGAL_WATCH_TRANSITION' | 'UNKNOWN_WATCH';

/** A refusal of the push layer; `field` names what was wrong (`stream`, `source`, `key`, `state`). */
export class PushError extends Error {
  constructor(
    readonly code: PushErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'PushError';
  }
}
