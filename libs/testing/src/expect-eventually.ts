/**
 * Retries an assertion until it passes or the timeout runs out, instead of sleeping in tests.
 * The last failure is rethrown, so the report says what was still wrong.
 */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
