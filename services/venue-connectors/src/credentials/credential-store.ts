import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, env, loadConfig } from '@tm/config';
import { VenueCredential } from './venue-credential.js';

const PARTS = [
  { key: 'apiKey', file: 'apiKey', suffix: 'API_KEY', required: true },
  { key: 'secret', file: 'secret', suffix: 'SECRET', required: true },
  { key: 'password', file: 'password', suffix: 'PASSWORD', required: false },
] as const;

/** `binance-main` → `TM_CREDENTIAL_BINANCE_MAIN_`: the environment prefix of a credential's keys. */
export function credentialVariablePrefix(name: string): string {
  return `TM_CREDENTIAL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/**
 * Resolves credentials by name: from the environment (`TM_CREDENTIAL_<NAME>_API_KEY`, `_SECRET`,
 * `_PASSWORD`) or, when `TM_CREDENTIALS_DIR` is set, from a mounted secret (`<dir>/<name>/apiKey`,
 * `secret`, `password`), the environment first. A missing key stops the start with the places looked
 * at; a key's value never appears in an error or a log.
 */
export class CredentialStore {
  constructor(
    private readonly credentialsDir: string | undefined,
    /** The environment to read; absent, the process's, through loadConfig like every variable. */
    private readonly source?: Readonly<Record<string, string | undefined>>,
  ) {}

  resolve(name: string): VenueCredential {
    const prefix = credentialVariablePrefix(name);
    // Read through the config machinery, so the environment is read in one way only.
    const spec = Object.fromEntries(
      PARTS.map((part) => [part.key, env.optionalString(`${prefix}${part.suffix}`, { expected: 'a key' })]),
    );
    const fromEnv = (this.source ? loadConfig(spec, this.source) : loadConfig(spec)) as Record<
      string,
      string | undefined
    >;
    const keys: Record<string, string | undefined> = {};
    const missing: string[] = [];
    for (const part of PARTS) {
      keys[part.key] = fromEnv[part.key] ?? this.fromFile(name, part.file);
      if (part.required && !keys[part.key]) {
        const places = [`${prefix}${part.suffix}`];
        if (this.credentialsDir) places.push(join(this.credentialsDir, name, part.file));
        missing.push(`credential "${name}": ${part.key} not found (looked in ${places.join(' and ')})`);
      }
    }
    if (missing.length) throw new ConfigError(missing);
    return new VenueCredential(name, {
      apiKey: keys.apiKey as string,
      secret: keys.secret as string,
      ...(keys.password ? { password: keys.password } : {}),
    });
  }

  private fromFile(name: string, file: string): string | undefined {
    if (!this.credentialsDir) return undefined;
    try {
      const text = readFileSync(join(this.credentialsDir, name, file), 'utf8').trim();
      return text === '' ? undefined : text;
    } catch {
      return undefined;
    }
  }
}
