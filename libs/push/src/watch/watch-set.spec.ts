import { describe, expect, it } from 'vitest';
import { PushError } from '../push.error.js';
import { formatTopic, parseTopic, type Topic } from '../topic/topic.js';
import { SubjectInterest } from './subject-interest.js';
import { WatchMachine } from './watch-state.js';
import { WatchSet } from './watch-set.js';

const topics = (...texts: string[]): Topic[] => texts.map(parseTopic);
const names = (list: readonly Topic[]) => list.map(formatTopic);

describe('WatchMachine', () => {
  it('goes Pending → Committed → RePending → Committed → Unwatched, recording why', () => {
    const m = new WatchMachine();
    m.transition('Committed', 'interest live, snapshot sent');
    m.transition('RePending', 'connection lost');
    m.transition('Committed', 'gap replayed');
    m.transition('Unwatched', 'client unwatched');
    expect(m.history.map((t) => `${t.from}→${t.to}`)).toEqual([
      'Pending→Committed',
      'Committed→RePending',
      'RePending→Committed',
      'Committed→Unwatched',
    ]);
  });

  it('refuses a move the table does not allow, naming both states', () => {
    const m = new WatchMachine();
    expect(() => m.transition('RePending', 'gap')).toThrow(
      'a watch cannot go from Pending to RePending (gap)',
    );
    m.transition('Unwatched', 'closed');
    expect(m.canTransition('Committed')).toBe(false);
  });
});

describe('WatchSet', () => {
  const catalog = topics(
    'ticker/*/BTC/USDT',
    'ticker/binance/BTC/USDT',
    'ticker/okx/BTC/USDT',
    'ticker/binance/ETH/USDT',
    'trades/binance/BTC/USDT',
  );

  it('expands a subtree over the topics that exist, each watch starting Pending', () => {
    const set = new WatchSet(10);
    set.watch('ticker/*/BTC/USDT');
    const change = set.expand(catalog);
    expect(names(change.added)).toEqual([
      'ticker/*/BTC/USDT',
      'ticker/binance/BTC/USDT',
      'ticker/okx/BTC/USDT',
    ]);
    expect(change).toMatchObject({ removed: [], truncated: 0 });
    expect(set.state(parseTopic('ticker/okx/BTC/USDT'))).toBe('Pending');
  });

  it('caps the expansion, keeping live watches when new topics appear, and says how many were left out', () => {
    const set = new WatchSet(2);
    set.watch('*/binance/*');
    expect(names(set.expand(catalog).added)).toEqual(['ticker/binance/BTC/USDT', 'ticker/binance/ETH/USDT']);
    set.machine(parseTopic('ticker/binance/BTC/USDT')).transition('Committed', 'live');
    // A topic that sorts first appears: the live watches stay, the newcomer is what the cap leaves out.
    const grown = [...catalog, ...topics('book/binance/BTC/USDT')];
    expect(set.expand(grown)).toEqual({ added: [], removed: [], truncated: 2 });
    expect(set.state(parseTopic('ticker/binance/BTC/USDT'))).toBe('Committed');
  });

  it('unwatches what no pattern holds any more, and everything on close', () => {
    const set = new WatchSet(10);
    set.watch('ticker/*/BTC/USDT');
    set.watch('trades/*/*');
    set.expand(catalog);
    const machine = set.machine(parseTopic('ticker/okx/BTC/USDT'));
    expect(set.unwatch('ticker/*/BTC/USDT')).toBe(true);
    expect(set.unwatch('ticker/*/BTC/USDT')).toBe(false);
    expect(names(set.expand(catalog).removed)).toEqual([
      'ticker/*/BTC/USDT',
      'ticker/binance/BTC/USDT',
      'ticker/okx/BTC/USDT',
    ]);
    expect(machine.state).toBe('Unwatched');
    expect(names(set.clear())).toEqual(['trades/binance/BTC/USDT']);
    expect(set.topics()).toEqual([]);
    expect(() => set.machine(parseTopic('trades/binance/BTC/USDT'))).toThrow(PushError);
  });

  it('refuses a bad pattern before changing anything', () => {
    const set = new WatchSet(10);
    expect(() => set.watch('prices/*/*')).toThrow('unknown stream "prices"');
    expect(set.patternTexts()).toEqual([]);
  });
});

describe('SubjectInterest', () => {
  it('opens a subject for its first watcher and closes it after its last', () => {
    const log: string[] = [];
    const interest = new SubjectInterest(
      (subject) => log.push(`open ${subject}`),
      (subject) => log.push(`close ${subject}`),
    );
    const btc = ['tm.md.agg.20895'];
    interest.acquire(btc);
    interest.acquire(btc);
    interest.release(btc);
    expect(log).toEqual(['open tm.md.agg.20895']);
    expect(interest.held()).toEqual(['tm.md.agg.20895']);
    interest.release(btc);
    interest.release(btc);
    expect(log).toEqual(['open tm.md.agg.20895', 'close tm.md.agg.20895']);
    expect(interest.held()).toEqual([]);
  });
});
