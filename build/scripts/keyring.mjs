// Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so that the
// keychain tests use a real Secret Service. A fresh XDG_DATA_HOME each time: a keyring file left
// by an earlier run under another password stays locked and every write to it fails.
//
// Signals: dbus-run-session does not pass SIGINT or SIGTERM on to its command, so the command
// writes its pid (the shell's, kept by `exec`) and the signal is sent there; we then wait for the
// command itself to finish its cleanup before removing the keyring folder and exiting.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function missingKeyring() {
  for (const needed of ['dbus-run-session', 'gnome-keyring-daemon']) {
    if (!hasCommand(needed)) {
      console.error(
        `'${needed}' was not found. The tests use a real Secret Service: install it with\n` +
          `  sudo apt-get install -y dbus gnome-keyring libsecret-1-dev`,
      );
      return true;
    }
  }
  return false;
}

const inner =
  'printf pmsg-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && ' +
  'echo $$ > "$PMSG_COMMAND_PID_FILE" && exec "$@"';

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Re-runs `argv` under dbus-run-session + gnome-keyring, passing signals on; resolves its status. */
export async function runWithKeyring(argv, env = process.env) {
  if (missingKeyring()) return 1;
  const dataHome = mkdtempSync(path.join(tmpdir(), 'pmsg-keyring-'));
  const pidFile = path.join(dataHome, 'command.pid');
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', inner, 'sh', ...argv], {
    stdio: 'inherit',
    env: {
      ...env,
      XDG_DATA_HOME: dataHome,
      PMSG_KEYRING_READY: '1',
      PMSG_COMMAND_PID_FILE: pidFile,
    },
  });
  const commandPid = () => {
    try {
      return Number(readFileSync(pidFile, 'utf8').trim()) || null;
    } catch {
      return null;
    }
  };
  let signalled = null;
  const forward = (signal) => {
    signalled = signal;
    const pid = commandPid();
    if (pid !== null && alive(pid)) process.kill(pid, signal);
    else child.kill(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  const status = await new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  // dbus-run-session may go first (Ctrl+C reaches the whole terminal group): let the command
  // finish its own cleanup, for up to 20 seconds.
  const pid = commandPid();
  for (let waited = 0; pid !== null && alive(pid) && waited < 20_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const signal of signals) process.off(signal, forward);
  rmSync(dataHome, { recursive: true, force: true });
  return signalled && status === 0 ? 0 : status;
}
