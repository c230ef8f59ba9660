import { describe, expect, it } from 'vitest';
import { createSubjects, DEFAULT_SUBJECT_ROOT, isValidSubjectRoot } from './subjects.js';

describe('createSubjects', () => {
  it('builds every subject of the architecture under the default root tm', () => {
    const s = createSubjects();
    expect(DEFAULT_SUBJECT_ROOT).toBe('tm');
    expect(s.root).toBe('tm');
    expect(s.mdTick(1)).toBe('tm.md.tick.1');
    expect(s.mdTrade(32767)).toBe('tm.md.trade.32767');
    expect(s.mdBook(5)).toBe('tm.md.book.5');
    expect(s.mdAgg(5)).toBe('tm.md.agg.5');
    expect(s.flowCmd(9)).toBe('tm.flow.cmd.9');
    expect(s.flowProgress(9)).toBe('tm.flow.progress.9');
    expect(s.flowEvent(9)).toBe('tm.flow.event.9');
    expect(s.exec(9)).toBe('tm.exec.9');
    expect(s.sysBeacon('aggregator', 'a-1')).toBe('tm.sys.beacon.aggregator.a-1');
    expect(s.sysSnapshot('aggregator', 'a-1')).toBe('tm.sys.snapshot.aggregator.a-1');
    expect(s.sysLifecycle('venue-connectors', 'pod_7')).toBe('tm.sys.lifecycle.venue-connectors.pod_7');
    expect(s.sysLog('aggregator', 'a-1')).toBe('tm.sys.log.aggregator.a-1');
    expect(s.sysCtl('aggregator', 'a-1')).toBe('tm.sys.ctl.aggregator.a-1');
    expect(s.sysCtlService('aggregator')).toBe('tm.sys.ctl.aggregator');
    expect(s.sysStatus()).toBe('tm.sys.status');
    expect(s.dlq('persister')).toBe('tm.dlq.persister');
    expect(s.venueRpc('binance', 'binance-main', 'create-order')).toBe(
      'tm.venue.binance.binance-main.create-order',
    );
    expect(() => s.venueRpc('binance', 'a.b', 'status')).toThrow(
      'account "a.b" is not a valid subject token',
    );
    expect(s.push('trades', 7, 'binance', 'BTC/USDT')).toBe('tm.push.trades.7.binance.BTC/USDT');
    expect(s.push('*', '*', '~', 'BRK~B/USD')).toBe('tm.push.*.*.~.BRK~B/USD');
    expect(() => s.push('trades', 7, 'binance', 'BRK.B/USD')).toThrow(
      'push key "BRK.B/USD" is not a valid subject token',
    );
  });

  it('builds the wildcards of each family', () => {
    const all = Object.entries(createSubjects('tm').all).map(([family, build]) => [family, build()]);
    expect(Object.fromEntries(all)).toEqual({
      mdTick: 'tm.md.tick.*',
      mdTrade: 'tm.md.trade.*',
      mdBook: 'tm.md.book.*',
      mdAgg: 'tm.md.agg.*',
      mdCandle: 'tm.md.candle.*',
      mdArbitrage: 'tm.md.arb.*',
      mdSnapshot: 'tm.md.snapshot.*',
      mdResync: 'tm.md.resync.*',
      exec: 'tm.exec.*',
      flowEvent: 'tm.flow.event.*',
      flowCmd: 'tm.flow.cmd.*',
      flowProgress: 'tm.flow.progress.*',
      venueRpc: 'tm.venue.>',
      sysBeacon: 'tm.sys.beacon.>',
      sysSnapshot: 'tm.sys.snapshot.>',
      sysLifecycle: 'tm.sys.lifecycle.>',
      sysLog: 'tm.sys.log.>',
      dlq: 'tm.dlq.>',
      push: 'tm.push.>',
    });
  });

  it('puts everything under another root, so a test run lives apart', () => {
    const s = createSubjects('t1a2b3c4d');
    expect(s.root).toBe('t1a2b3c4d');
    expect(s.mdTick(42)).toBe('t1a2b3c4d.md.tick.42');
    expect(s.sysBeacon('persister', 'p-1')).toBe('t1a2b3c4d.sys.beacon.persister.p-1');
    expect(s.all.dlq()).toBe('t1a2b3c4d.dlq.>');
  });

  it.each(['', 'TM', '1tm', 'tm.x', 'tm-x', 'tm_x', 't m', 'tm*', 'tm>', 'a'.repeat(17)])(
    'refuses the root %j',
    (root) => {
      expect(isValidSubjectRoot(root)).toBe(false);
      expect(() => createSubjects(root)).toThrow(`subject root "${root}" must match`);
    },
  );

  it.each(['t', 'tm', 'abc123', 'a'.repeat(16)])('accepts the root %j', (root) => {
    expect(isValidSubjectRoot(root)).toBe(true);
    expect(createSubjects(root).root).toBe(root);
  });

  it.each(['', 'a.b', 'a b', '*', '>', 'a>', 'é'])('refuses the service or instance token %j', (bad) => {
    const s = createSubjects('tm');
    expect(() => s.sysBeacon(bad, 'a-1')).toThrow(`service "${bad}" is not a valid subject token`);
    expect(() => s.sysLifecycle('aggregator', bad)).toThrow(`instance "${bad}" is not a valid subject token`);
    expect(() => s.sysSnapshot(bad, 'a-1')).toThrow('not a valid subject token');
    expect(() => s.sysLog('aggregator', bad)).toThrow('not a valid subject token');
    expect(() => s.sysCtl('aggregator', bad)).toThrow('not a valid subject token');
    expect(() => s.sysCtlService(bad)).toThrow('not a valid subject token');
    expect(() => s.dlq(bad)).toThrow('not a valid subject token');
  });
});

describe('slot tokens', () => {
  it('refuses a slot outside 1..32767 or not whole, with a coded error', () => {
    const subjects = createSubjects('tm');
    expect(subjects.mdTick(1)).toBe('tm.md.tick.1');
    expect(subjects.exec(32767)).toBe('tm.exec.32767');
    for (const bad of [0, 32768, 1.5, Number.NaN, -3]) {
      expect(() => subjects.mdTick(bad)).toThrow(expect.objectContaining({ code: 'INVALID_SLOT' }));
    }
  });
});
