import type { PreTradeReason } from '@tm/contracts';

/**
 * A step's failure. `retryable` says whether another attempt may succeed (the venue was unavailable,
 * rate-limited or ambiguous); a certain failure (the venue refused, the input cannot work) ends the flow.
 */
export class StepError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

/** A pre-trade check said no: the flow ends refused with the reason, and nothing reached a venue. */
export class PreTradeRefusal extends Error {
  constructor(
    readonly reason: PreTradeReason,
    message: string,
  ) {
    super(message);
    this.name = 'PreTradeRefusal';
  }
}

/** The step's wait was ended because the flow is being canceled or this instance no longer owns it. */
export class FlowInterrupted extends Error {
  constructor(readonly why: 'cancel' | 'lost') {
    super(why === 'cancel' ? 'the flow is being canceled' : 'this instance no longer owns the flow');
    this.name = 'FlowInterrupted';
  }
}
