import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialStore, credentialVariablePrefix } from './credential-store.js';

describe('CredentialStore', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('reads keys from the environment by the credential name', () => {
    const store = new CredentialStore(undefined, {
      TM_CREDENTIAL_BINANCE_MAIN_API_KEY: 'k-123',
      TM_CREDENTIAL_BINANCE_MAIN_SECRET: 's-456',
    });
    expect(credentialVariablePrefix('binance-main')).toBe('TM_CREDENTIAL_BINANCE_MAIN_');
    expect(store.resolve('binance-main').keys()).toEqual({ apiKey: 'k-123', secret: 's-456' });
  });

  it('reads a mounted secret directory, the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-cred-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'okx-main'));
    writeFileSync(join(dir, 'okx-main', 'apiKey'), 'file-key\n');
    writeFileSync(join(dir, 'okx-main', 'secret'), 'file-secret');
    writeFileSync(join(dir, 'okx-main', 'password'), 'file-pass');
    const store = new CredentialStore(dir, { TM_CREDENTIAL_OKX_MAIN_SECRET: 'env-secret' });
    expect(store.resolve('okx-main').keys()).toEqual({
      apiKey: 'file-key',
      secret: 'env-secret',
      password: 'file-pass',
    });
  });

  it('says where it looked when a key is missing', () => {
    const store = new CredentialStore('/run/secrets/tm', { TM_CREDENTIAL_BYBIT_MAIN_API_KEY: 'k' });
    expect(() => store.resolve('bybit-main')).toThrow(
      'credential "bybit-main": secret not found (looked in TM_CREDENTIAL_BYBIT_MAIN_SECRET and /run/secrets/tm/bybit-main/secret)',
    );
  });

  it('never shows the keys when logged, serialised or inspected', () => {
    const credential = new CredentialStore(undefined, {
      TM_CREDENTIAL_X_API_KEY: 'very-secret-key',
      TM_CREDENTIAL_X_SECRET: 'very-secret-secret',
    }).resolve('x');
    const shown = [
      JSON.stringify({ credential }),
      String(credential),
      inspect(credential),
      inspect({ credential }),
    ];
    for (const text of shown) {
      expect(text).not.toContain('very-secret');
      expect(text).toContain('x');
    }
  });
});
