// A throwaway self-signed certificate for localhost and 127.0.0.1, made with openssl for one test run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TestCertificate {
  /** PEM text of the certificate (also the CA a client trusts) and of its key. */
  readonly cert: string;
  readonly key: string;

  private constructor(
    private readonly dir: string,
    readonly certFile: string,
    readonly keyFile: string,
  ) {
    this.cert = readFileSync(certFile, 'utf8');
    this.key = readFileSync(keyFile, 'utf8');
  }

  static create(commonName = 'localhost'): TestCertificate {
    const dir = mkdtempSync(join(tmpdir(), 'tm-test-cert-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    return new TestCertificate(dir, certFile, keyFile);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
