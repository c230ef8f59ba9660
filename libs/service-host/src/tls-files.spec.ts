import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@tm/config';
import { describe, expect, it } from 'vitest';
import { readTlsFiles } from './tls-files.js';

describe('readTlsFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, 'CERT');
  writeFileSync(key, 'KEY');

  it('serves plain HTTP with neither, HTTPS with both', () => {
    expect(readTlsFiles(undefined, undefined)).toBeUndefined();
    expect(readTlsFiles(cert, key)).toEqual({ cert: Buffer.from('CERT'), key: Buffer.from('KEY') });
  });

  it('refuses one without the other, naming the missing variable', () => {
    expect(() => readTlsFiles(cert, undefined)).toThrow(ConfigError);
    expect(() => readTlsFiles(cert, undefined)).toThrow(
      /TM_TLS_KEY: expected a PEM file, since TM_TLS_CERT is set/,
    );
    expect(() => readTlsFiles(undefined, key)).toThrow(
      /TM_TLS_CERT: expected a PEM file, since TM_TLS_KEY is set/,
    );
  });

  it('refuses a file it cannot read, naming the variable and the path', () => {
    expect(() => readTlsFiles(join(dir, 'missing.pem'), key)).toThrow(
      /TM_TLS_CERT: cannot read .*missing\.pem/,
    );
  });
});
