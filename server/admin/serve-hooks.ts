/**
 * What `pmsg relay serve` does besides serving: marks the folder as served (relay.pid) and, when
 * it serves TLS, reloads the certificate and key on SIGHUP. A renewed certificate (certbot, an
 * internal CA) is then taken up without a restart: connections already open keep their session,
 * new ones get the new certificate. A pair that does not load is refused and the old one stays.
 */
import { readFileSync } from 'node:fs';
import { describeError } from '../../shared/describe-error.js';
import type { RelayLogger } from '../log.js';
import type { RunningRelay } from '../relay.js';
import { markServing } from './serving-marker.js';

export interface ServeHookOptions {
  dataDir: string;
  certFile?: string;
  keyFile?: string;
  logger: RelayLogger;
}

/** Installs the hooks; returns the function that removes them (before the relay closes). */
export function installServeHooks(relay: RunningRelay, options: ServeHookOptions): () => void {
  const unmark = markServing(options.dataDir);
  const { certFile, keyFile, logger } = options;
  const onHangup = () => {
    if (certFile === undefined || keyFile === undefined) {
      logger.warn('tls_reload_skipped', { reason: 'not serving TLS' });
      return;
    }
    try {
      relay.setTls({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
      logger.info('tls_reloaded', { certFile });
    } catch (error) {
      // Never the key's content: the error names the file or the mismatch only.
      logger.error('tls_reload_failed', {
        certFile,
        error: describeError(error),
      });
    }
  };
  process.on('SIGHUP', onHangup);
  return () => {
    process.off('SIGHUP', onHangup);
    unmark();
  };
}
