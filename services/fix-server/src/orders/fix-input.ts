// Reading a plain object the FIX session hands over (jspurefix repo44 shape) without trusting it.

export type Loose = Record<string, unknown>;

export function looseOf(value: unknown): Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : {};
}

/** A non-empty string field, trimmed; null when absent or not text. */
export function textOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Instrument.Symbol(55) of a message. */
export function symbolOf(message: Loose): string | null {
  return textOf(looseOf(message['Instrument'])['Symbol']);
}

/** OrderQtyData.OrderQty(38) of a message, as it came. */
export function orderQtyOf(message: Loose): unknown {
  return looseOf(message['OrderQtyData'])['OrderQty'];
}
