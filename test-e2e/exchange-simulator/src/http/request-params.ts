// Typed reads of a request's parameters (query string + form body), failing the Binance way.
import { BinanceError, binanceErrors } from '../binance-error.js';

const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const INTEGER = /^-?[0-9]{1,19}$/;

export class RequestParams {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** Parses `a=1&b=2` pairs of the query and the body; a parameter given twice is -1101. */
  static parse(query: string, body: string): RequestParams {
    const values = new Map<string, string>();
    for (const source of [query, body]) {
      if (source === '') continue;
      for (const [key, value] of new URLSearchParams(source)) {
        if (values.has(key)) throw binanceErrors.tooManyParameters();
        values.set(key, value);
      }
    }
    return new RequestParams(values);
  }

  has(name: string): boolean {
    const value = this.values.get(name);
    return value !== undefined && value !== '';
  }

  optional(name: string): string | undefined {
    const value = this.values.get(name);
    return value === undefined || value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw binanceErrors.mandatory(name);
    return value;
  }

  optionalDecimal(name: string): string | undefined {
    const value = this.optional(name);
    if (value !== undefined && !DECIMAL.test(value)) throw binanceErrors.illegalChars(name);
    return value;
  }

  requiredDecimal(name: string): string {
    const value = this.optionalDecimal(name);
    if (value === undefined) throw binanceErrors.mandatory(name);
    return value;
  }

  optionalInt(name: string): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (!INTEGER.test(value)) throw binanceErrors.invalidParam(name);
    return Number(value);
  }

  /** One of `allowed`, else the given error. */
  oneOf<T extends string>(name: string, allowed: readonly T[], invalid: () => BinanceError): T | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    const upper = value.toUpperCase();
    const found = allowed.find((candidate) => candidate === upper);
    if (found === undefined) throw invalid();
    return found;
  }
}
