import { describe, expect, it } from 'vitest';
import { csvField, fillsCsv } from './fills-csv.js';
import type { TradeFill } from './trade-history.dto.js';

const fill: TradeFill = {
  venue: 'paper',
  account: 'desk, "A"',
  instrument: 'BTC/USDT',
  tradeId: 't-1',
  venueOrderId: 'v-1',
  clientOrderId: null,
  side: 'buy',
  price: '65000.10000000',
  amount: '0.5',
  feeCost: null,
  feeCurrency: null,
  liquidity: 'taker',
  reconciled: false,
  tsEvent: 1_714_557_600_000_001,
  time: '2024-05-01T10:00:00.000001Z',
};

describe('fillsCsv', () => {
  it('writes a header line and one CRLF line per fill, decimals untouched, null as empty', () => {
    expect(fillsCsv([fill]).split('\r\n')).toEqual([
      'time,venue,account,instrument,side,price,amount,fee_cost,fee_currency,liquidity,trade_id,venue_order_id,client_order_id,reconciled',
      '2024-05-01T10:00:00.000001Z,paper,"desk, ""A""",BTC/USDT,buy,65000.10000000,0.5,,,taker,t-1,v-1,,false',
      '',
    ]);
  });

  it('writes only the header for no fills', () => {
    expect(fillsCsv([])).toBe(
      'time,venue,account,instrument,side,price,amount,fee_cost,fee_currency,liquidity,trade_id,venue_order_id,client_order_id,reconciled\r\n',
    );
  });

  it('quotes a field with a comma, a quote or a line break, doubling its quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
  });
});
