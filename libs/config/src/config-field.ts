import { ConfigError } from './config.exception.js';

/** One environment variable: its name, the form it expects, its default, and how to read it. */
export interface ConfigField<T> {
  readonly variable: string;
  /** The expected form in words, as it appears in errors and in `describeConfig`. */
  readonly expected: string;
  /** The default as a person would type it; undefined when the variable is required. */
  readonly defaultText: string | undefined;
  /** Reads the raw value (empty or blank counts as not set); throws a ConfigError when it is bad. */
  parse(raw: string | undefined): T;
}

export interface FieldRule<T> {
  readonly variable: string;
  readonly expected: string;
  readonly defaultText: string | undefined;
  /** Gives the value when the variable is not set; undefined makes the variable required. */
  readonly fallback: (() => T) | undefined;
  /** Converts the trimmed text, or returns undefined when it is not of the expected form. */
  convert(text: string): T | undefined;
  /** How a refused value is quoted in the error; secrets and credentials must not be echoed. */
  quote?(text: string): string;
}

export function defineField<T>(rule: FieldRule<T>): ConfigField<T> {
  const { variable, expected, defaultText, fallback } = rule;
  const quote = rule.quote ?? ((text: string) => JSON.stringify(text));
  return Object.freeze({
    variable,
    expected,
    defaultText,
    parse(raw: string | undefined): T {
      const text = raw?.trim() ?? '';
      if (text === '') {
        if (fallback) return fallback();
        throw new ConfigError([`${variable}: expected ${expected}, got nothing (it is required)`]);
      }
      const value = rule.convert(text);
      if (value === undefined)
        throw new ConfigError([`${variable}: expected ${expected}, got ${quote(text)}`]);
      return value;
    },
  });
}
