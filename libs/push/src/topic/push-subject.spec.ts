import { createSubjects } from '@tm/contracts';
import { describe, expect, it } from 'vitest';
import { pushSubjectOf, pushSubjectOfPattern } from './push-subject.js';
import { parsePattern, parseTopic } from './topic.js';

const subjects = createSubjects('tm');

describe('push subjects', () => {
  it('puts a topic on a subject of its own, the consolidated source and dots made subject-safe', () => {
    expect(pushSubjectOf(subjects, parseTopic('trades/binance/BTC/USDT'), 12)).toBe(
      'tm.push.trades.12.binance.BTC/USDT',
    );
    expect(pushSubjectOf(subjects, parseTopic('trades/*/BRK.B/USD'), 3)).toBe('tm.push.trades.3.~.BRK~B/USD');
  });

  it('hears every topic of a pattern in any slot, a wildcard source including the consolidated one', () => {
    expect(pushSubjectOfPattern(subjects, parsePattern('trades/*/BTC/USDT'))).toBe(
      'tm.push.trades.*.*.BTC/USDT',
    );
    expect(pushSubjectOfPattern(subjects, parsePattern('*/okx/*'))).toBe('tm.push.*.*.okx.*');
  });
});
