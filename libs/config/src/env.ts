// The builders of config fields, one per form a variable can take.
import type { z } from 'zod';
import { ConfigError } from './config.exception.js';
import { defineField, type ConfigField } from './config-field.js';
import { formatDurationMs, parseDurationMs } from './duration.js';

interface Range {
  min?: number;
  max?: number;
}

const INTEGER_PATTERN = /^[+-]?\d+$/;
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  1: true,
  0: false,
  yes: true,
  no: false,
};

function inRange(value: number, { min, max }: Range): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

function rangeText({ min, max }: Range, show: (n: number) => string): string {
  if (min !== undefined && max !== undefined) return ` between ${show(min)} and ${show(max)}`;
  if (min !== undefined) return ` of at least ${show(min)}`;
  if (max !== undefined) return ` of at most ${show(max)}`;
  return '';
}

function parseInteger(text: string): number | undefined {
  const value = Number(text);
  return INTEGER_PATTERN.test(text) && Number.isSafeInteger(value) ? value : undefined;
}

function schemes(protocols: readonly string[]): string[] {
  return protocols.map((protocol) => protocol.replace(/:$/, ''));
}

function urlForm(protocols: readonly string[]): string {
  return schemes(protocols)
    .map((scheme) => `${scheme}://`)
    .join(' or ');
}

function isUrlOf(text: string, protocols: readonly string[]): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return schemes(protocols).includes(url.protocol.slice(0, -1)) && url.hostname !== '';
}

// A connection URL may carry a password: an error quotes it masked up to the last "@", which
// over-masks rather than leak a password that itself holds "@" or "/".
function quoteWithoutPassword(text: string): string {
  return JSON.stringify(text.replace(/(:\/\/[^:/@]*:).*@/, '$1***@'));
}

export const env = {
  string(
    variable: string,
    opts: {
      default?: string | (() => string);
      /** How a computed default reads in `describeConfig`, e.g. "<hostname>-<pid>". */
      defaultText?: string;
      pattern?: RegExp;
      expected?: string;
      minLength?: number;
    } = {},
  ): ConfigField<string> {
    const { default: fallback, pattern, minLength } = opts;
    const generated = [
      'text',
      minLength === undefined ? undefined : `of at least ${minLength} characters`,
      pattern ? `matching ${pattern}` : undefined,
    ];
    return defineField({
      variable,
      expected: opts.expected ?? generated.filter((part) => part !== undefined).join(' '),
      defaultText: typeof fallback === 'function' ? (opts.defaultText ?? '(computed at start)') : fallback,
      fallback:
        fallback === undefined ? undefined : typeof fallback === 'function' ? fallback : () => fallback,
      convert: (text) =>
        (pattern === undefined || pattern.test(text)) && text.length >= (minLength ?? 0) ? text : undefined,
    });
  },

  optionalString(
    variable: string,
    opts: { pattern?: RegExp; expected?: string } = {},
  ): ConfigField<string | undefined> {
    const { pattern } = opts;
    return defineField<string | undefined>({
      variable,
      expected: opts.expected ?? (pattern ? `text matching ${pattern}` : 'text'),
      defaultText: undefined,
      fallback: () => undefined,
      convert: (text) => (pattern === undefined || pattern.test(text) ? text : undefined),
    });
  },

  int(variable: string, opts: { default: number } & Range): ConfigField<number> {
    return defineField({
      variable,
      expected: `an integer${rangeText(opts, String)}`,
      defaultText: String(opts.default),
      fallback: () => opts.default,
      convert: (text) => {
        const value = parseInteger(text);
        return value !== undefined && inRange(value, opts) ? value : undefined;
      },
    });
  },

  durationMs(variable: string, opts: { default: number } & Range): ConfigField<number> {
    return defineField({
      variable,
      expected: `a duration like 250ms, 15s, 5m or 1h${rangeText(opts, formatDurationMs)}`,
      defaultText: formatDurationMs(opts.default),
      fallback: () => opts.default,
      convert: (text) => {
        const value = parseDurationMs(text);
        return value !== undefined && inRange(value, opts) ? value : undefined;
      },
    });
  },

  /** Distinct durations, comma-separated ("1s,1m,1h"), kept in ascending order. */
  durationListMs(variable: string, opts: { default: readonly number[] } & Range): ConfigField<number[]> {
    const ascending = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);
    return defineField({
      variable,
      expected: `a comma-separated list of durations like 1s,1m,1h${rangeText(opts, formatDurationMs)}`,
      defaultText: opts.default.map(formatDurationMs).join(','),
      fallback: () => ascending([...opts.default]),
      convert: (text) => {
        const values = text.split(',').map((entry) => parseDurationMs(entry.trim()));
        return values.length > 0 && values.every((v) => v !== undefined && inRange(v, opts))
          ? ascending(values as number[])
          : undefined;
      },
    });
  },

  port(variable: string, opts: { default: number }): ConfigField<number> {
    return defineField({
      variable,
      expected: 'a TCP port between 0 and 65535 (0 picks any free port)',
      defaultText: String(opts.default),
      fallback: () => opts.default,
      convert: (text) => {
        const value = parseInteger(text);
        return value !== undefined && inRange(value, { min: 0, max: 65_535 }) ? value : undefined;
      },
    });
  },

  bool(variable: string, opts: { default: boolean }): ConfigField<boolean> {
    return defineField({
      variable,
      expected: 'true/false, 1/0 or yes/no',
      defaultText: String(opts.default),
      fallback: () => opts.default,
      convert: (text) => BOOLEAN_WORDS[text.toLowerCase()],
    });
  },

  oneOf<const V extends readonly string[]>(
    variable: string,
    values: V,
    opts: { default: V[number] },
  ): ConfigField<V[number]> {
    return defineField<V[number]>({
      variable,
      expected: `one of ${values.join(', ')}`,
      defaultText: opts.default,
      fallback: () => opts.default,
      convert: (text) => values.find((value) => value === text),
    });
  },

  url(variable: string, opts: { default?: string; protocols: readonly string[] }): ConfigField<string> {
    const { default: fallback, protocols } = opts;
    return defineField({
      variable,
      expected: `a ${urlForm(protocols)} URL`,
      defaultText: fallback,
      fallback: fallback === undefined ? undefined : () => fallback,
      convert: (text) => (isUrlOf(text, protocols) ? text : undefined),
      quote: quoteWithoutPassword,
    });
  },

  urlList(variable: string, opts: { default: string; protocols: readonly string[] }): ConfigField<string[]> {
    const { protocols } = opts;
    const split = (text: string) =>
      text
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
    return defineField({
      variable,
      expected: `a comma-separated list of ${urlForm(protocols)} URLs`,
      defaultText: opts.default,
      fallback: () => split(opts.default),
      convert: (text) => {
        const urls = split(text);
        return urls.length > 0 && urls.every((url) => isUrlOf(url, protocols)) ? urls : undefined;
      },
      quote: quoteWithoutPassword,
    });
  },

  /** Structured config as JSON (a list of venue accounts, say); a refusal names each failing path. */
  json<S extends z.ZodType>(
    variable: string,
    schema: S,
    opts: { default: z.input<S>; expected: string },
  ): ConfigField<z.output<S>> {
    const refuse = (problem: string): never => {
      throw new ConfigError([`${variable}: expected ${opts.expected}; ${problem}`]);
    };
    return defineField<z.output<S>>({
      variable,
      expected: opts.expected,
      defaultText: JSON.stringify(opts.default),
      fallback: () => schema.parse(opts.default),
      convert: (text) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          return refuse(`it is not JSON (${(error as Error).message})`);
        }
        const parsed = schema.safeParse(value);
        if (parsed.success) return parsed.data;
        return refuse(
          parsed.error.issues
            .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
            .join('; '),
        );
      },
    });
  },

  secret(variable: string, opts: { default?: string; minLength?: number } = {}): ConfigField<string> {
    const { default: fallback, minLength = 1 } = opts;
    return defineField({
      variable,
      expected: minLength > 1 ? `a secret of at least ${minLength} characters` : 'a non-empty secret',
      defaultText: fallback === undefined ? undefined : '(secret)',
      fallback: fallback === undefined ? undefined : () => fallback,
      convert: (text) => (text.length >= minLength ? text : undefined),
      quote: (text) => `a value of ${text.length} characters`,
    });
  },
};
