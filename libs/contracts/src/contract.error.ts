/** A name or value that cannot go on the wire. */
export type ContractErrorCode = 'INVALID_SUBJECT_ROOT' | 'INVALID_SUBJECT_TOKEN' | 'INVALID_SLOT';

export class ContractError extends Error {
  constructor(
    readonly code: ContractErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}
