import 'reflect-metadata';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { canceledReport, newReport, refusalReport, tradeReport } from './execution-report.js';
import { FixOrder } from './fix-order.js';
import { Dec, fixTimestamp } from './fix-values.js';

function order(): FixOrder {
  return new FixOrder({
    sessionKey: 'PB1->TM',
    clientId: 'pb1',
    clOrdId: 'c-1',
    orderId: 'flow-1',
    account: 'acc1',
    venue: 'paper',
    symbol: 'BTC/USDT',
    side: '1',
    ordType: '2',
    orderQty: new Dec('1'),
    price: new Dec('100.1'),
    timeInForce: '1',
    execInst: null,
    tag: 'fix.t',
    receivedAt: 0,
  });
}

describe('execution reports', () => {
  it('keeps CumQty, LeavesQty and AvgPx exact over two partial fills and a fill', () => {
    const o = order();
    expect(newReport(o, 0)).toMatchObject({
      ExecType: '0',
      OrdStatus: '0',
      LeavesQty: '1',
      CumQty: '0',
      AvgPx: '0',
    });
    const fills = [
      { tradeId: 't1', qty: new Dec('0.1'), px: new Dec('100.1') },
      { tradeId: 't2', qty: new Dec('0.2'), px: new Dec('100.2') },
      { tradeId: 't3', qty: new Dec('0.7'), px: new Dec('100') },
    ];
    const reports = fills.map((fill) => {
      expect(o.applyFill('child', fill.tradeId, fill.qty, fill.px)).toBe(true);
      return tradeReport(o, fill, 0);
    });
    expect(reports[0]).toMatchObject({
      ExecType: 'F',
      OrdStatus: '1',
      LastQty: '0.1',
      LastPx: '100.1',
      CumQty: '0.1',
      LeavesQty: '0.9',
      AvgPx: '100.1',
    });
    // (0.1×100.1 + 0.2×100.2) / 0.3 = 30.05 / 0.3
    expect(reports[1]).toMatchObject({
      OrdStatus: '1',
      CumQty: '0.3',
      LeavesQty: '0.7',
      AvgPx: '100.166666666667',
    });
    // (30.05 + 70) / 1
    expect(reports[2]).toMatchObject({ OrdStatus: '2', CumQty: '1', LeavesQty: '0', AvgPx: '100.05' });
    expect(new Set(reports.map((r) => r.ExecID)).size).toBe(3);
  });

  it('never counts a tradeId twice', () => {
    const o = order();
    expect(o.applyFill('child', 't1', new Dec('0.5'), new Dec('100'))).toBe(true);
    expect(o.applyFill('child', 't1', new Dec('0.5'), new Dec('100'))).toBe(false);
    expect(o.cumQty.toFixed()).toBe('0.5');
  });

  it('reports a cancel with LeavesQty 0 and the cancel ClOrdID chained to the original', () => {
    const o = order();
    o.applyFill('child', 't1', new Dec('0.25'), new Dec('100'));
    o.canceled('c-2');
    expect(canceledReport(o, 0)).toMatchObject({
      ExecType: '4',
      OrdStatus: '4',
      ClOrdID: 'c-2',
      OrigClOrdID: 'c-1',
      CumQty: '0.25',
      LeavesQty: '0',
    });
  });

  it('formats TransactTime with microseconds', () => {
    expect(fixTimestamp(1_704_164_645_123_456)).toBe('20240102-03:04:05.123456');
    expect(fixTimestamp(1_704_164_645_000_007)).toBe('20240102-03:04:05.000007');
  });

  it('goes through jspurefix AsciiEncoder with microseconds and every decimal digit intact', async () => {
    // Deep paths: jspurefix's index does not export the encoder (CommonJS, so loaded with require).
    const require = createRequire(import.meta.url);
    const { DefinitionFactory, ElasticBuffer } = require('jspurefix') as typeof import('jspurefix');
    const { AsciiEncoder } =
      require('jspurefix/dist/buffer/ascii/ascii-encoder') as typeof import('jspurefix/dist/buffer/ascii/ascii-encoder.js');
    const definitions = await new DefinitionFactory().getDefinitions('repo44');
    const encoder = new AsciiEncoder(new ElasticBuffer(), definitions);
    const o = order();
    o.applyFill('child', 't1', new Dec('0.123456789012345678'), new Dec('65000.000000000001'));
    const report = tradeReport(
      o,
      { tradeId: 't1', qty: new Dec('0.123456789012345678'), px: new Dec('65000.000000000001') },
      1_704_164_645_123_456,
    );
    encoder.encode(report, 'ExecutionReport');
    // trim() puts SOH back as the delimiter; `|` reads better.
    const wire = `|${encoder.trim().toString().replaceAll('\x01', '|')}`;
    expect(wire).toContain('|60=20240102-03:04:05.123456|');
    expect(wire).toContain('|32=0.123456789012345678|');
    expect(wire).toContain('|31=65000.000000000001|');
    expect(wire).toContain('|150=F|39=1|');
    encoder.reset();
    encoder.encode(
      refusalReport({ clOrdId: 'x', symbol: 'BTC/USDT', side: '1' }, 6, 'duplicate', 0),
      'ExecutionReport',
    );
    expect(encoder.trim().toString().replaceAll('\x01', '|')).toContain('|150=8|39=8|103=6|');
  });
});
