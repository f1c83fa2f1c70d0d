import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeytarKeychain } from '../../../../main/core/keychain/keytar-keychain.js';

const root = path.resolve(import.meta.dirname, '../../../..');

/**
 * Runs the keytar keychain in a child process with a chosen environment and prints the error it
 * raised as JSON, so the D-Bus connection of this (keyring-enabled) process is not disturbed.
 */
function keychainErrorIn(env: NodeJS.ProcessEnv, prefix: string[] = []) {
  const module = path.join(root, 'main/core/keychain/keytar-keychain.ts');
  const script = `
    const { KeytarKeychain } = await import(${JSON.stringify(module)});
    try {
      await new KeytarKeychain('Practice Messenger test').setSecret('probe', 'x');
      console.log(JSON.stringify({ ok: true }));
    } catch (e) {
      console.log(JSON.stringify({ ok: false, name: e.name, code: e.code, message: e.message }));
    }`;
  const result = spawnSync(
    prefix[0] ?? process.execPath,
    [
      ...prefix.slice(1),
      ...(prefix.length ? [process.execPath] : []),
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: root, env, encoding: 'utf8', timeout: 30_000 },
  );
  const line = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as { ok: boolean; name?: string; code?: string; message?: string };
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

describe('KeytarKeychain', () => {
  it('stores, reads and deletes a secret in the real Secret Service', async () => {
    const keychain = new KeytarKeychain();
    const id = randomUUID();
    expect(await keychain.getSecret(id)).toBeNull();
    await keychain.setSecret(id, 'c2VjcmV0');
    expect(await keychain.getSecret(id)).toBe('c2VjcmV0');
    expect(await new KeytarKeychain('Another service').getSecret(id)).toBeNull();
    expect(await keychain.deleteSecret(id)).toBe(true);
    expect(await keychain.getSecret(id)).toBeNull();
    expect(await keychain.deleteSecret(id)).toBe(false);
  });

  it('fails with keychain_unavailable naming the Secret Service when D-Bus is unreachable', () => {
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    const outcome = keychainErrorIn(env);
    expect(outcome.ok).toBe(false);
    expect(outcome.name).toBe('MessengerError');
    expect(outcome.code).toBe('keychain_unavailable');
    expect(outcome.message).toContain('org.freedesktop.secrets');
    expect(outcome.message).toMatch(/gnome-keyring|KWallet/);
    expect(outcome.message).toMatch(/never stores the secret in a plain file/);
  });

  it.runIf(hasCommand('dbus-run-session'))(
    'fails with keychain_unavailable when D-Bus runs but no Secret Service is provided',
    () => {
      const { DBUS_SESSION_BUS_ADDRESS: _ignored, ...env } = process.env;
      const outcome = keychainErrorIn(env, ['dbus-run-session', '--']);
      expect(outcome.ok).toBe(false);
      expect(outcome.code).toBe('keychain_unavailable');
      expect(outcome.message).toContain('org.freedesktop.secrets');
    },
  );
});
