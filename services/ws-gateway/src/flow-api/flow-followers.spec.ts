import { describe, expect, it } from 'vitest';
import { FlowFollowers, flowKey } from './flow-followers.js';

const ids = (set: ReadonlySet<string> | undefined) => [...(set ?? [])].sort();

describe('FlowFollowers', () => {
  it('names the sockets following a flow, and only those', () => {
    const followers = new FlowFollowers(10);
    followers.follow('a', flowKey('desk', 'f1'));
    followers.follow('b', flowKey('desk', 'f1'));
    followers.follow('b', flowKey('desk', 'f2'));
    expect(ids(followers.of('desk/f1'))).toEqual(['a', 'b']);
    expect(ids(followers.of('desk/f2'))).toEqual(['b']);
    expect(followers.of('other/f1')).toBeUndefined();
  });

  it('forgets a finished flow for every socket, and keeps nothing for it', () => {
    const followers = new FlowFollowers(10);
    followers.follow('a', 'desk/f1');
    followers.follow('b', 'desk/f1');
    followers.follow('b', 'desk/f2');
    followers.forgetFlow('desk/f1');
    expect(followers.of('desk/f1')).toBeUndefined();
    expect(followers.size).toEqual({ flows: 1, sockets: 1 });
    followers.forgetFlow('desk/f2');
    expect(followers.size).toEqual({ flows: 0, sockets: 0 });
  });

  it('forgets a disconnected socket everywhere', () => {
    const followers = new FlowFollowers(10);
    followers.follow('a', 'desk/f1');
    followers.follow('a', 'desk/f2');
    followers.follow('b', 'desk/f2');
    followers.forgetSocket('a');
    expect(followers.of('desk/f1')).toBeUndefined();
    expect(ids(followers.of('desk/f2'))).toEqual(['b']);
    followers.forgetSocket('b');
    followers.forgetSocket('never-seen');
    expect(followers.size).toEqual({ flows: 0, sockets: 0 });
  });

  it('lets go of the flow a socket followed longest past its cap; following again makes a flow the newest', () => {
    const followers = new FlowFollowers(2);
    followers.follow('a', 'desk/f1');
    followers.follow('a', 'desk/f2');
    followers.follow('a', 'desk/f1');
    followers.follow('a', 'desk/f3');
    expect(followers.of('desk/f2')).toBeUndefined();
    expect(ids(followers.of('desk/f1'))).toEqual(['a']);
    expect(ids(followers.of('desk/f3'))).toEqual(['a']);
    expect(followers.size).toEqual({ flows: 2, sockets: 1 });
  });
});
