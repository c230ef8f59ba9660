// PostgreSQL COPY text format: one line per row, tab between columns, `\N` for null, and backslash,
// tab, newline and carriage return escaped inside a value. Written by hand because it is the hot path.
export const COPY_NULL = '\\N';

const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function copyText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

export function copyNullable(value: string | null): string {
  return value === null ? COPY_NULL : copyText(value);
}

// The ISO date and time of the last second formatted: consecutive rows mostly fall in the same second.
let cachedSecond = NaN;
let cachedPrefix = '';

/** An epoch-microseconds time as an ISO timestamp with all six fractional digits. */
export function copyTimestamp(micros: number): string {
  const second = Math.floor(micros / 1_000_000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1_000).toISOString().slice(0, 19);
  }
  return `${cachedPrefix}.${String(micros - second * 1_000_000).padStart(6, '0')}Z`;
}

export function copyJson(value: unknown): string {
  return copyText(JSON.stringify(value));
}

/** Splits one COPY line back into its values (null for `\N`): what a refused row is kept as. */
export function parseCopyLine(line: string): (string | null)[] {
  return line.split('\t').map((field) => (field === COPY_NULL ? null : unescapeCopy(field)));
}

function unescapeCopy(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) =>
    c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c,
  );
}
