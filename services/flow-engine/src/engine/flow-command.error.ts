import type { ReplyErrorCode } from '@tm/contracts';

/** A command the engine cannot take: answered with its code (and field details), never a stack trace. */
export class FlowCommandError extends Error {
  constructor(
    readonly code: ReplyErrorCode,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
    this.name = 'FlowCommandError';
  }
}
