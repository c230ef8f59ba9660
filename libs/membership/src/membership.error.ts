export enum MembershipErrorCode {
  InvalidInstanceId = 'INVALID_INSTANCE_ID',
  InvalidOption = 'INVALID_OPTION',
  DuplicateInstance = 'DUPLICATE_INSTANCE',
  AlreadyStarted = 'ALREADY_STARTED',
}

export class MembershipError extends Error {
  constructor(
    readonly code: MembershipErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MembershipError';
  }
}
