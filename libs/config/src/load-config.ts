import { ConfigError } from './config.exception.js';
import type { ConfigField } from './config-field.js';

export type ConfigSpec = Record<string, ConfigField<unknown>>;

export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends ConfigField<infer T> ? T : never;
};

/**
 * Reads every field of the spec and throws ONE ConfigError listing every problem, so a bad start
 * names everything to fix at once. The result (and any list in it) is frozen.
 */
export function loadConfig<S extends ConfigSpec>(
  spec: S,
  // The only place in the codebase that reads process.env for configuration.
  source: Readonly<Record<string, string | undefined>> = process.env,
): ConfigOf<S> {
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, field] of Object.entries(spec)) {
    try {
      const value = field.parse(source[field.variable]);
      config[key] = Array.isArray(value) ? Object.freeze(value) : value;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config) as ConfigOf<S>;
}

/** Every variable of a spec with its expected form and default, for READMEs and `--help`. */
export function describeConfig(
  spec: ConfigSpec,
): Array<{ variable: string; expected: string; default: string | undefined }> {
  return Object.values(spec).map((field) => ({
    variable: field.variable,
    expected: field.expected,
    default: field.defaultText,
  }));
}
