import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRelay } from '../../../server/admin/relay-check.js';
import { selfSignedCert } from '../../helpers/self-signed-cert.js';
import { runRelayCli as runCli, startBuiltServe } from './built-relay-cli.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pmsg-check-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** GET /v1/health; the SHA-256 of the certificate served and the socket used. */
function health(url: string, agent: Agent | false): Promise<{ sha256: string; socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/health`, { agent, rejectUnauthorized: false }, (res) => {
      res.resume();
      const socket = res.socket as TLSSocket;
      const raw = socket.getPeerX509Certificate()?.raw ?? Buffer.alloc(0);
      res.on('end', () =>
        resolve({ sha256: createHash('sha256').update(raw).digest('hex'), socket }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS certificate reload on SIGHUP, and pmsg relay check', () => {
  it('serves the renewed certificate to new connections and keeps open ones', async () => {
    const dir = tempDir();
    const [a, b] = ['a', 'b'].map((name) => {
      mkdirSync(path.join(dir, name));
      return selfSignedCert(path.join(dir, name));
    });
    const live = path.join(dir, 'live');
    mkdirSync(live);
    const install = (name: string) => {
      copyFileSync(path.join(dir, name, 'cert.pem'), path.join(live, 'cert.pem'));
      copyFileSync(path.join(dir, name, 'key.pem'), path.join(live, 'key.pem'));
    };
    install('a');
    const data = path.join(dir, 'data');
    const cert = path.join(live, 'cert.pem');
    const key = path.join(live, 'key.pem');
    const serve = await startBuiltServe([
      '--data',
      data,
      '--port',
      '0',
      '--tls-cert',
      cert,
      '--tls-key',
      key,
    ]);
    cleanups.push(async () => {
      await serve.stop();
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    const first = await health(serve.url, agent);
    expect(first.sha256).toBe(a!.sha256);

    install('b');
    // To the pid in relay.pid, the process systemd's ExecReload signals.
    const pid = Number(readFileSync(path.join(data, 'relay.pid'), 'utf8'));
    expect(pid).toBe(serve.child.pid);
    process.kill(pid, 'SIGHUP');
    let fresh = await health(serve.url, false);
    for (let i = 0; i < 50 && fresh.sha256 !== b!.sha256; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      fresh = await health(serve.url, false);
    }
    expect(fresh.sha256).toBe(b!.sha256);
    // The connection opened before the reload is still open and still answers.
    const reused = await health(serve.url, agent);
    expect(reused.socket).toBe(first.socket);
    expect(serve.child.exitCode).toBeNull();

    // check: the port serves the certificate in the file (the reload took); the one-day test
    // certificate is within the 30-day renewal warning, so the check as a whole fails.
    const port = new URL(serve.url).port;
    const checked = runCli([
      'check',
      '--data',
      data,
      '--port',
      port,
      '--tls-cert',
      cert,
      '--tls-key',
      key,
    ]);
    expect(checked.status).toBe(1);
    const report = JSON.parse(checked.stdout) as {
      ok: boolean;
      checks: Array<Record<string, unknown>>;
    };
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(report.ok).toBe(false);
    expect(byName.data).toMatchObject({ ok: true, folderMode: '700' });
    expect(byName.database).toMatchObject({ ok: true, integrity: 'ok', accounts: 0 });
    expect(byName.certificate).toMatchObject({ ok: false, sha256: b!.sha256, keyMatches: true });
    expect(String(byName.certificate?.detail)).toMatch(/expires in [01] days/);
    expect(byName.port).toMatchObject({ ok: true, servedSha256: b!.sha256 });

    // A certificate that does not match the key, and the old certificate against the port.
    const mismatch = runCli([
      'check',
      '--data',
      data,
      '--port',
      port,
      '--tls-cert',
      path.join(dir, 'a', 'cert.pem'),
      '--tls-key',
      key,
    ]);
    const mismatchReport = JSON.parse(mismatch.stdout) as {
      checks: Array<Record<string, unknown>>;
    };
    const m = Object.fromEntries(mismatchReport.checks.map((c) => [c.name, c]));
    expect(m.certificate).toMatchObject({ keyMatches: false });
    expect(m.port).toMatchObject({ ok: false });
    expect(String(m.port?.detail)).toMatch(/send the relay SIGHUP/);
  }, 120_000);

  it('reports an expired certificate, a closed port and a folder without a relay', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'c'));
    selfSignedCert(path.join(dir, 'c'));
    const report = await checkRelay({
      dataDir: path.join(dir, 'nowhere'),
      port: 1,
      certFile: path.join(dir, 'c', 'cert.pem'),
      now: new Date(Date.now() + 3 * 86_400_000),
    });
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(report.ok).toBe(false);
    expect(byName.data?.detail).toMatch(/does not exist/);
    expect(byName.certificate?.detail).toMatch(/expired on/);
    expect(byName.port?.detail).toMatch(/cannot be reached/);
  });

  it('exits 2 on bad usage', () => {
    expect(runCli(['check', '--data', '/tmp', '--port', 'eighty']).status).toBe(2);
    expect(runCli(['check', '--data', '/tmp', '--tls-key', 'k.pem']).status).toBe(2);
    expect(runCli(['check']).status).toBe(2);
  });
});
