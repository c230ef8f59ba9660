// One error for every configuration problem, so a bad start lists everything to fix at once.
export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG' as const;
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = Object.freeze([...problems]);
  }
}
