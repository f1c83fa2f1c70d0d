/**
 * Runs every `pmsg relay` command in docs/deployment.md, in the order the guide gives them, on a
 * temporary folder: the walk-through from an empty relay to every desk enrolled, then the staff
 * account table. The guide's paths are mapped into the folder; nothing else is changed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'node:https';
import { enrolPayload, generateDeviceKeys } from '../server/signal-keys.js';
import { runRelayCli as runCli } from '../server/admin/built-relay-cli.js';

const root = path.resolve(import.meta.dirname, '../..');
const doc = readFileSync(path.join(root, 'docs/deployment.md'), 'utf8');
const entry = path.join(root, 'dist/server/cli-entry.js');

/** Every `pmsg relay ...` command: lines of fenced blocks and inline code, in document order. */
function documentedCommands(): string[] {
  const found: { at: number; command: string }[] = [];
  for (const block of doc.matchAll(/```(?:sh|bat)\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      const command = line.trim();
      if (command.startsWith('pmsg relay ')) found.push({ at: block.index ?? 0, command });
    }
  }
  for (const inline of doc.matchAll(/(?<!`)`(pmsg relay [^`]+)`/g)) {
    found.push({ at: inline.index ?? 0, command: inline[1] ?? '' });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.command);
}

/** Shell-like words: double quotes group, [optional parts] are given. */
function words(command: string): string[] {
  return [...command.replace(/[[\]]/g, '').matchAll(/"([^"]*)"|(\S+)/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
}

/** POST /v1/enrol over TLS, trusting the relay's own certificate as a pinned device would. */
function enrolDevice(
  url: string,
  code: string,
  ca: Buffer,
): Promise<{ status: number; json: { deviceId: number } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/enrol`,
      { method: 'POST', ca, headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(body) as { deviceId: number } }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(enrolPayload(code, generateDeviceKeys())));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const work = mkdtempSync(path.join(tmpdir(), 'pmsg-docs-test-'));
let serving: ChildProcess | null = null;

async function stopServing(): Promise<void> {
  const child = serving;
  serving = null;
  if (child === null || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

afterAll(async () => {
  await stopServing();
  rmSync(work, { recursive: true, force: true });
});

async function serve(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serving = child;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`serve ${args.join(' ')} exited with ${code}: ${stderr}`)),
    );
  });
  return (JSON.parse(line) as { url: string }).url;
}

describe('docs/deployment.md, every pmsg relay command', () => {
  it('runs as written, from an empty relay to every desk enrolled', async () => {
    const commands = documentedCommands();
    const kinds = commands.map((c) => words(c).slice(2, 3)[0]);
    // The walk-through's commands are all there, in the guide's order.
    expect(kinds.slice(0, 6)).toEqual(['serve', 'check', 'enrol', 'list', 'backup', 'restore']);
    expect(new Set(kinds)).toEqual(
      new Set([
        'serve',
        'check',
        'enrol',
        'list',
        'backup',
        'restore',
        'revoke',
        'set-role',
        'audit',
      ]),
    );

    const port = await freePort();
    const data = path.join(work, 'data');
    const tls = path.join(work, 'tls');
    const admin = path.join(work, 'admin');
    mkdirSync(tls);
    mkdirSync(path.join(admin, 'backups'), { recursive: true });
    // The certificate of step 2: a year's validity, so that `check` is all ok.
    spawnSync(
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
        path.join(tls, 'key.pem'),
        '-out',
        path.join(tls, 'cert.pem'),
        '-days',
        '365',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    // The staff list of step 5, exactly as the guide shows it.
    const csv = /```csv\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    writeFileSync(path.join(admin, 'staff.csv'), csv.replace(/^ {3}/gm, ''));

    let url = '';
    let accountId = '';
    const map = (command: string) =>
      command
        .replaceAll('/var/lib/practice-messenger-relay', data)
        .replaceAll('/etc/practice-messenger-relay', tls)
        .replaceAll('/srv/pmsg-admin', admin)
        .replace('--host 0.0.0.0', '--host 127.0.0.1')
        .replace('--port 8443', `--port ${port}`)
        .replaceAll('<dir>', data)
        .replaceAll('<accountId>', accountId)
        .replaceAll('<id>', '1');

    for (const command of commands) {
      const args = words(map(command)).slice(2);
      if (args[0] === 'serve') {
        url = await serve(args);
        continue;
      }
      // As step 8 says: the relay is stopped for a restore and started again after it.
      const restoring = args[0] === 'restore';
      const serveArgs = restoring ? words(map(commands[0] ?? '')).slice(2) : [];
      if (restoring) await stopServing();
      const result = runCli(args);
      expect(result.stderr, command).toBe('');
      expect(result.status, command).toBe(0);
      const output = JSON.parse(result.stdout) as Record<string, unknown>;
      if (restoring) url = await serve(serveArgs);

      switch (args[0]) {
        case 'check':
          expect(output.ok).toBe(true);
          break;
        case 'enrol':
          if (args.includes('--csv')) {
            const people = output.people as Array<{
              accountId: string;
              code: string;
              displayName: string;
            }>;
            expect(people.map((p) => p.displayName)).toEqual([
              'Patel, Dr Anita',
              'Sam Jones',
              'Chris Green',
              'Morgan Lee',
            ]);
            expect(readdirSync(path.join(admin, 'letters-2026-12'))).toHaveLength(4);
            // Dr Patel enrols her PC with the code from her letter.
            accountId = people[0]!.accountId;
            const device = await enrolDevice(
              url,
              people[0]!.code,
              readFileSync(path.join(tls, 'cert.pem')),
            );
            expect(device).toMatchObject({ status: 201, json: { deviceId: 1 } });
          }
          break;
        case 'backup':
          expect(output.integrity).toBe('ok');
          break;
        case 'restore':
          expect(output.accounts).toBeGreaterThanOrEqual(4);
          break;
      }
    }
    const listed = JSON.parse(runCli(['list', '--data', data]).stdout) as {
      accounts: Array<{ displayName: string }>;
    };
    expect(listed.accounts.map((a) => a.displayName)).toEqual(
      expect.arrayContaining(['Patel, Dr Anita', 'Morgan Lee', 'Dr A Patel']),
    );
  }, 300_000);
});
