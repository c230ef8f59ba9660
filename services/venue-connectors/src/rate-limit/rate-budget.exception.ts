export const RATE_BUDGET_ERROR_CODES = ['CLOSED', 'INVALID_TOKEN', 'INVALID_SETTINGS'] as const;
export type RateBudgetErrorCode = (typeof RATE_BUDGET_ERROR_CODES)[number];

/** The rate budget's one error: CLOSED means the request was never sent and may be retried elsewhere. */
export class RateBudgetError extends Error {
  constructor(
    readonly code: RateBudgetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RateBudgetError';
  }
}
