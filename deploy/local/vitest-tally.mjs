// Turns vitest's JSON report and exit code into counts for the final `N passed, N failed` line.
// A file that failed before any test ran, or a failing exit with no failed test (an unhandled
// error, no test found, a crashed run), still counts as a failure, so nothing fails silently.

/** `report` is vitest's parsed JSON report, or null when it wrote none. */
export function tallyVitest(report, exitCode) {
  if (!report) {
    return {
      passed: 0,
      failed: 1,
      skipped: 0,
      notes: [`vitest exited with code ${exitCode} and wrote no report`],
    };
  }
  const notes = [];
  const brokenFiles = report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  );
  for (const file of brokenFiles) notes.push(`${file.name} failed before its tests ran`);
  let failed = report.numFailedTests + brokenFiles.length;
  if (exitCode !== 0 && failed === 0) {
    notes.push(
      `vitest exited with code ${exitCode} without a failed test (unhandled error or no test found)`,
    );
    failed = 1;
  }
  return {
    passed: report.numPassedTests,
    failed,
    skipped: report.numPendingTests + report.numTodoTests,
    notes,
  };
}

export function summaryLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}
