// Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so that the
// keychain tests use a real Secret Service. A fresh XDG_DATA_HOME each time: a keyring file left
// by an earlier run under another password stays locked and every write to it fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Re-runs `argv` under dbus-run-session + gnome-keyring; returns its exit status. */
export function runWithKeyring(argv, env = process.env) {
  for (const needed of ['dbus-run-session', 'gnome-keyring-daemon']) {
    if (!hasCommand(needed)) {
      console.error(
        `'${needed}' was not found. The tests use a real Secret Service: install it with\n` +
          `  sudo apt-get install -y dbus gnome-keyring libsecret-1-dev`,
      );
      return 1;
    }
  }
  const dataHome = mkdtempSync(path.join(tmpdir(), 'pmsg-keyring-'));
  const inner =
    'printf pmsg-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"';
  const result = spawnSync('dbus-run-session', ['--', 'sh', '-c', inner, 'sh', ...argv], {
    stdio: 'inherit',
    env: { ...env, XDG_DATA_HOME: dataHome, PMSG_KEYRING_READY: '1' },
  });
  rmSync(dataHome, { recursive: true, force: true });
  return result.status ?? 1;
}
