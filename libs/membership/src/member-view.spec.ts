import { describe, expect, it } from 'vitest';
import { MemberView } from './member-view.js';

describe('MemberView', () => {
  it('takes puts and deletes from the watch', () => {
    const view = new MemberView();
    view.observe('b', true);
    view.observe('a', true);
    view.observe('b', false);
    expect(view.live()).toEqual(['a']);
  });

  it('lets a listing replace what the watch said before it, silent expiries included', () => {
    const view = new MemberView();
    view.observe('a', true);
    view.observe('gone', false);
    const mark = view.mark();
    view.applyListing(['b', 'gone'], mark);
    expect(view.live()).toEqual(['b', 'gone']);
  });

  it('keeps what the watch saw after the listing was sent', () => {
    const view = new MemberView();
    view.observe('leaver', true);
    const mark = view.mark();
    view.observe('joiner', true);
    view.observe('leaver', false);
    view.applyListing(['leaver'], mark);
    expect(view.live()).toEqual(['joiner']);
  });
});
