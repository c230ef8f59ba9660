import { describe, expect, it } from 'vitest';
import { summaryLine, tallyVitest } from './vitest-tally.mjs';

const file = (name, status, ...tests) => ({
  name,
  status,
  assertionResults: tests.map((s) => ({ status: s })),
});
const report = (testResults, counts) => ({
  numPassedTests: 0,
  numFailedTests: 0,
  numPendingTests: 0,
  numTodoTests: 0,
  ...counts,
  testResults,
});

describe('tallyVitest', () => {
  it('counts passed, failed, and skipped plus todo tests', () => {
    const run = report([file('a.spec.ts', 'failed', 'passed', 'failed', 'skipped', 'todo')], {
      numPassedTests: 1,
      numFailedTests: 1,
      numPendingTests: 1,
      numTodoTests: 1,
    });
    expect(tallyVitest(run, 1)).toEqual({ passed: 1, failed: 1, skipped: 2, notes: [] });
  });

  it('counts a file that failed before any test ran as one failure', () => {
    const run = report([file('a.spec.ts', 'passed', 'passed'), file('b.spec.ts', 'failed')], {
      numPassedTests: 1,
    });
    expect(tallyVitest(run, 1)).toMatchObject({
      passed: 1,
      failed: 1,
      notes: ['b.spec.ts failed before its tests ran'],
    });
  });

  it('counts a failing exit without a failed test, or a missing report, as one failure', () => {
    const clean = report([file('a.spec.ts', 'passed', 'passed')], { numPassedTests: 1 });
    expect(tallyVitest(clean, 0)).toMatchObject({ passed: 1, failed: 0 });
    expect(tallyVitest(clean, 1)).toMatchObject({ passed: 1, failed: 1 });
    expect(tallyVitest(null, 1)).toMatchObject({ passed: 0, failed: 1 });
  });
});

describe('summaryLine', () => {
  it('names skipped tests only when there are some', () => {
    expect(summaryLine({ passed: 3, failed: 0, skipped: 0 })).toBe('3 passed, 0 failed');
    expect(summaryLine({ passed: 3, failed: 1, skipped: 2 })).toBe('3 passed, 1 failed, 2 skipped');
  });
});
