/** Why the flow API refused a request; the REST filter maps the code to a status, the socket acks it as is. */
export type FlowApiErrorCode =
  /** The request (or, as the engine found it, the command) fails its schema: `details` name the fields. */
  | 'INVALID_PAYLOAD'
  /** The token's role may not use the verb, or read and cancel flows. */
  | 'FORBIDDEN'
  /** The socket's access token expired: send `auth` with a fresh one. */
  | 'TOKEN_EXPIRED'
  | 'NOT_FOUND'
  /** The idempotency key started a flow with another account, verb or input. */
  | 'IDEMPOTENCY_CONFLICT'
  /** A cancel of a flow that is finished already. */
  | 'FLOW_FINISHED'
  /** No flow engine answered in time, none listens, or it said UNAVAILABLE. */
  | 'FLOW_ENGINE_UNAVAILABLE'
  /** The engine failed (INTERNAL) or answered something unusable. */
  | 'FLOW_ENGINE_FAILED';

export class FlowApiError extends Error {
  constructor(
    readonly code: FlowApiErrorCode,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
    this.name = 'FlowApiError';
  }
}
