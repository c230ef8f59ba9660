import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A venue's API keys, named by reference (`binance-main`). The keys are readable only through
 * `keys()`, which the adapter factory calls once; logging, JSON or inspecting the object shows the name.
 */
export class VenueCredential {
  readonly #apiKey: string;
  readonly #secret: string;
  readonly #password: string | undefined;

  constructor(
    readonly name: string,
    keys: { apiKey: string; secret: string; password?: string },
  ) {
    this.#apiKey = keys.apiKey;
    this.#secret = keys.secret;
    this.#password = keys.password;
  }

  keys(): { apiKey: string; secret: string; password?: string } {
    return {
      apiKey: this.#apiKey,
      secret: this.#secret,
      ...(this.#password !== undefined ? { password: this.#password } : {}),
    };
  }

  toJSON(): { name: string; keys: string } {
    return { name: this.name, keys: REDACTED };
  }

  toString(): string {
    return `VenueCredential(${this.name})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
