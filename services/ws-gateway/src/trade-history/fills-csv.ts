// Fills as CSV (RFC 4180): a header line, CRLF line ends, a field quoted when it holds a comma, a quote or a
// line break, with its quotes doubled. Decimals go out exactly as they came; null is an empty field.
import type { TradeFill } from './trade-history.dto.js';

interface CsvColumn {
  header: string;
  value: (fill: TradeFill) => string | boolean | null;
}

export const FILL_CSV_COLUMNS: readonly CsvColumn[] = [
  { header: 'time', value: (fill) => fill.time },
  { header: 'venue', value: (fill) => fill.venue },
  { header: 'account', value: (fill) => fill.account },
  { header: 'instrument', value: (fill) => fill.instrument },
  { header: 'side', value: (fill) => fill.side },
  { header: 'price', value: (fill) => fill.price },
  { header: 'amount', value: (fill) => fill.amount },
  { header: 'fee_cost', value: (fill) => fill.feeCost },
  { header: 'fee_currency', value: (fill) => fill.feeCurrency },
  { header: 'liquidity', value: (fill) => fill.liquidity },
  { header: 'trade_id', value: (fill) => fill.tradeId },
  { header: 'venue_order_id', value: (fill) => fill.venueOrderId },
  { header: 'client_order_id', value: (fill) => fill.clientOrderId },
  { header: 'reconciled', value: (fill) => fill.reconciled },
];

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string | boolean | null): string {
  const text = value === null ? '' : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function fillsCsv(fills: readonly TradeFill[]): string {
  const lines = [FILL_CSV_COLUMNS.map((column) => csvField(column.header)).join(',')];
  for (const fill of fills)
    lines.push(FILL_CSV_COLUMNS.map((column) => csvField(column.value(fill))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
