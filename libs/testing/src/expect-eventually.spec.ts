import { describe, expect, it } from 'vitest';
import { expectEventually } from './expect-eventually.js';

describe('expectEventually', () => {
  it('returns once the assertion passes', async () => {
    let calls = 0;
    const value = await expectEventually(
      () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return calls;
      },
      1_000,
      1,
    );
    expect(value).toBe(3);
  });

  it('rethrows the last failure after the timeout', async () => {
    await expect(
      expectEventually(
        () => {
          throw new Error('still wrong');
        },
        30,
        5,
      ),
    ).rejects.toThrow('still wrong');
  });
});
