/**
 * `pmsg relay check`: what IT wants to know about a relay before and after a change, as JSON:
 * the data folder, the database, the TLS certificate (expiry, key match) and whether the port
 * answers (and with which certificate). Reads only; safe while the relay serves.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import path from 'node:path';
import { relayDatabaseFile } from '../storage/sqlite-relay-storage.js';
import { inspectRelayDatabase, relayDatabaseProblem } from './inspect-relay-database.js';
import { checkPostgresDatabase } from './postgres-check.js';
import { servingPid } from './serving-marker.js';

export interface CheckItem {
  name: 'data' | 'database' | 'certificate' | 'port';
  ok: boolean;
  /** A sentence for IT: what was found, and what to do when not ok. */
  detail: string;
  [field: string]: unknown;
}

export interface CheckReport {
  ok: boolean;
  checks: CheckItem[];
}

export interface CheckOptions {
  /** The SQLite relay's folder; or, with databaseUrl, none (PostgreSQL). */
  dataDir?: string;
  databaseUrl?: string;
  host?: string;
  port?: number;
  certFile?: string;
  keyFile?: string;
  /** A certificate expiring sooner than this many days fails the check. */
  warnDays?: number;
  now?: Date;
}

export async function checkRelay(options: CheckOptions): Promise<CheckReport> {
  const checks: CheckItem[] = [];
  if (options.databaseUrl !== undefined) {
    checks.push(await checkPostgresDatabase(options.databaseUrl));
  } else {
    const dataDir = options.dataDir ?? '.';
    checks.push(checkData(dataDir));
    const database = path.join(dataDir, relayDatabaseFile);
    if (existsSync(database)) checks.push(checkDatabase(database));
  }
  let fingerprint: string | undefined;
  if (options.certFile !== undefined) {
    const item = checkCertificate(options);
    fingerprint = typeof item.sha256 === 'string' ? item.sha256 : undefined;
    checks.push(item);
  }
  if (options.port !== undefined) {
    checks.push(
      await checkPort(
        options.host ?? '127.0.0.1',
        options.port,
        options.certFile !== undefined,
        fingerprint,
      ),
    );
  }
  return { ok: checks.every((c) => c.ok), checks };
}

function checkData(dataDir: string): CheckItem {
  if (!existsSync(dataDir)) {
    return {
      name: 'data',
      ok: false,
      detail: `${dataDir} does not exist; \`pmsg relay serve --data ${dataDir}\` creates it.`,
    };
  }
  const database = path.join(dataDir, relayDatabaseFile);
  const serving = servingPid(dataDir);
  if (!existsSync(database)) {
    return {
      name: 'data',
      ok: false,
      detail: `${dataDir} holds no ${relayDatabaseFile}; is this the relay's --data folder?`,
      serving,
    };
  }
  const mode = statSync(dataDir).mode & 0o777;
  // Group or others able to read the folder could copy the database (token hashes, metadata).
  const open = process.platform !== 'win32' && (mode & 0o077) !== 0;
  return {
    name: 'data',
    ok: !open,
    detail: open
      ? `${dataDir} is readable by others (mode ${mode.toString(8)}); chmod 700 it.`
      : `${dataDir} holds the relay database${serving === null ? '; no relay is serving it' : `, served by process ${serving}`}.`,
    folderMode: mode.toString(8),
    serving,
  };
}

function checkDatabase(file: string): CheckItem {
  try {
    const report = inspectRelayDatabase(file);
    const problem = relayDatabaseProblem(report);
    return {
      name: 'database',
      ok: problem === null,
      detail: problem ?? `integrity ok, schema version ${report.schemaVersion}.`,
      ...report,
    };
  } catch (error) {
    return {
      name: 'database',
      ok: false,
      detail: `${file} cannot be opened: ${(error as Error).message}`,
    };
  }
}

function checkCertificate(options: CheckOptions): CheckItem {
  const file = options.certFile ?? '';
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(readFileSync(file));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'not a PEM certificate';
    return {
      name: 'certificate',
      ok: false,
      detail: `${file} cannot be read as a certificate (${reason}).`,
    };
  }
  const now = options.now ?? new Date();
  const expires = new Date(certificate.validTo);
  const daysLeft = Math.floor((expires.getTime() - now.getTime()) / 86_400_000);
  const warnDays = options.warnDays ?? 30;
  const sha256 = createHash('sha256').update(certificate.raw).digest('hex');
  const fields = {
    file,
    subject: certificate.subject,
    expires: expires.toISOString(),
    daysLeft,
    sha256,
  };
  let keyMatches: boolean | undefined;
  if (options.keyFile !== undefined) {
    try {
      keyMatches = certificate.checkPrivateKey(createPrivateKey(readFileSync(options.keyFile)));
    } catch {
      keyMatches = false;
    }
  }
  const problems = [
    daysLeft < 0 ? `expired on ${expires.toISOString()}` : '',
    daysLeft >= 0 && daysLeft < warnDays
      ? `expires in ${daysLeft} days: renew it, then send the relay SIGHUP (systemctl reload practice-messenger-relay)`
      : '',
    keyMatches === false ? `${options.keyFile} is not its private key` : '',
  ].filter((p) => p !== '');
  return {
    name: 'certificate',
    ok: problems.length === 0,
    detail:
      problems.length > 0
        ? `${file}: ${problems.join('; ')}.`
        : `valid until ${expires.toISOString()} (${daysLeft} days).`,
    ...fields,
    ...(keyMatches === undefined ? {} : { keyMatches }),
  };
}

function checkPort(
  host: string,
  port: number,
  tls: boolean,
  expectedSha256: string | undefined,
): Promise<CheckItem> {
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/v1/health`;
  return new Promise((resolve) => {
    const done = (ok: boolean, detail: string, extra: Record<string, unknown> = {}) =>
      resolve({ name: 'port', ok, detail, url, ...extra });
    // The certificate is compared below; whether a CA vouches for it is not what is checked here.
    const req = (tls ? httpsRequest : httpRequest)(
      url,
      { method: 'GET', timeout: 5_000, rejectUnauthorized: false, agent: false },
      (res) => {
        res.resume();
        const served = tls
          ? createHash('sha256')
              .update((res.socket as TLSSocket).getPeerX509Certificate()?.raw ?? Buffer.alloc(0))
              .digest('hex')
          : undefined;
        if (res.statusCode !== 200)
          return done(false, `${url} answered ${res.statusCode}; is this port the relay's?`);
        if (served !== undefined && expectedSha256 !== undefined && served !== expectedSha256) {
          return done(
            false,
            `${url} serves another certificate than the file: send the relay SIGHUP to load the new one.`,
            { servedSha256: served },
          );
        }
        done(
          true,
          `${url} answers as a relay.`,
          served === undefined ? {} : { servedSha256: served },
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      done(
        false,
        `${url} cannot be reached (${error.code ?? error.message}); is the relay running, and the firewall open?`,
      ),
    );
    req.end();
  });
}
