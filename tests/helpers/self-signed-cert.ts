import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface SelfSignedCert {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** SHA-256 of the certificate, 64 lowercase hex digits (the policy's serverCertificateSha256). */
  readonly sha256: string;
}

/** A one-day P-256 certificate for 127.0.0.1, made with openssl in `dir`. */
export function selfSignedCert(dir: string): SelfSignedCert {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certFile);
  return {
    cert,
    key: readFileSync(keyFile),
    sha256: new X509Certificate(cert).fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}
