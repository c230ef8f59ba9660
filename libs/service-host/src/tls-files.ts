import { readFileSync } from 'node:fs';
import { ConfigError } from '@tm/config';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/**
 * The PEM certificate and key the service's HTTP port serves HTTPS with, or undefined for plain HTTP.
 * Both or neither: one without the other, or a file that cannot be read, refuses the start naming it.
 */
export function readTlsFiles(
  certFile: string | undefined,
  keyFile: string | undefined,
): TlsFiles | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined)
    throw new ConfigError([
      `${certFile === undefined ? 'TM_TLS_CERT' : 'TM_TLS_KEY'}: expected a PEM file, since ${certFile === undefined ? 'TM_TLS_KEY' : 'TM_TLS_CERT'} is set (HTTPS needs both)`,
    ]);
  const read = (variable: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError([`${variable}: cannot read ${file}: ${(error as Error).message}`]);
    }
  };
  return { cert: read('TM_TLS_CERT', certFile), key: read('TM_TLS_KEY', keyFile) };
}
