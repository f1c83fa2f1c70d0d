import { X509Certificate } from 'node:crypto';
import { rootCertificates, connect, type PeerCertificate } from 'node:tls';
import { MessengerError } from '../../../../shared/errors.js';

/** TLS options for node:https and ws that pin the relay certificate. */
export interface PinnedTlsOptions {
  readonly ca: string[];
  readonly checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined;
}

function normalise(sha256: string): string {
  return sha256.replaceAll(':', '').toLowerCase();
}

function fingerprintOf(cert: PeerCertificate): string {
  return normalise(cert.fingerprint256 ?? '');
}

export function pinMismatch(expected: string, actual: string): MessengerError {
  return new MessengerError(
    'forbidden',
    `The relay's TLS certificate (SHA-256 ${actual || 'unknown'}) is not the one your practice's ` +
      `policy pins (${expected}). Do not continue: ask IT whether the relay certificate was ` +
      `replaced, and if so to update serverCertificateSha256 in the policy.`,
    { reason: 'certificate_pin_mismatch' },
  );
}

/**
 * Certificate pinning by the SHA-256 of the relay's leaf certificate (policy
 * `serverCertificateSha256`). A practice relay often has a self-signed certificate, which
 * ordinary chain validation refuses before any custom check runs. So the pinned certificate is
 * first fetched once and compared; when it matches it is added as a trust anchor, and every real
 * connection is then validated in the handshake (before any request bytes, so the bearer token
 * never reaches an impostor) and its fingerprint compared again in checkServerIdentity.
 */
export class TlsPin {
  private readonly expected: string;
  private trusted: Promise<PinnedTlsOptions> | null = null;

  constructor(
    sha256: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.expected = normalise(sha256);
    if (!/^[0-9a-f]{64}$/.test(this.expected)) {
      throw new MessengerError('invalid_input', 'A certificate pin is 64 hex digits (SHA-256).');
    }
  }

  /** The TLS options for a connection to `url` (an https:/wss: URL). */
  optionsFor(url: URL): Promise<PinnedTlsOptions> {
    this.trusted ??= this.fetchAnchor(url).catch((error: unknown) => {
      this.trusted = null;
      throw error;
    });
    return this.trusted;
  }

  private fetchAnchor(url: URL): Promise<PinnedTlsOptions> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: url.hostname,
        port: Number(url.port || 443),
        servername: isIp(url.hostname) ? undefined : url.hostname,
        // Only to read the certificate: nothing is sent on this connection.
        rejectUnauthorized: false,
        timeout: this.timeoutMs,
      });
      socket.once('secureConnect', () => {
        const cert = socket.getPeerCertificate(false);
        socket.destroy();
        const actual = fingerprintOf(cert);
        if (actual !== this.expected) {
          reject(pinMismatch(this.expected, actual));
          return;
        }
        const pem = new X509Certificate(cert.raw).toString();
        resolve({
          ca: [...rootCertificates, pem],
          // The pin replaces the host name check: a practice relay is often reached by IP.
          checkServerIdentity: (_host, peer) => {
            const seen = fingerprintOf(peer);
            return seen === this.expected ? undefined : pinMismatch(this.expected, seen);
          },
        });
      });
      socket.once('timeout', () => {
        socket.destroy();
        reject(new MessengerError('network', `The relay at ${url.host} did not answer in time.`));
      });
      socket.once('error', (error) => {
        reject(
          new MessengerError('network', `Cannot reach the relay at ${url.host}: ${error.message}`),
        );
      });
    });
  }
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}
