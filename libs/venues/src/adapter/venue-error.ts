import type { VenueErrorCode } from '@tm/contracts';

export interface VenueErrorOptions {
  /** How long the venue asked us to wait (Retry-After), when it said so. */
  retryAfterMs?: number;
  /** The request field the venue objected to, when known. */
  field?: string;
  cause?: unknown;
}

/** Every failure an adapter reports, reduced to the small set of codes the platform acts on. */
export class VenueError extends Error {
  override readonly name = 'VenueError';

  constructor(
    readonly code: VenueErrorCode,
    message: string,
    readonly options?: VenueErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }

  get retryAfterMs(): number | undefined {
    return this.options?.retryAfterMs;
  }

  get field(): string | undefined {
    return this.options?.field;
  }
}

export function isVenueError(error: unknown): error is VenueError {
  return error instanceof VenueError;
}
