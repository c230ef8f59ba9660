/** Errors `tm` reports in one line with a non-zero exit code (2), never a stack trace. */
export class TmCliError extends Error {
  constructor(
    readonly code: 'USAGE' | 'UNREACHABLE' | 'NO_ANSWER',
    message: string,
  ) {
    super(message);
    this.name = 'TmCliError';
  }
}
