// `node build/scripts/with-keyring.mjs <command> [args...]`: runs one command against a private,
// unlocked gnome-keyring (see keyring.mjs). Handy for running a single test file by hand, and how
// `npm run demo` starts: SIGINT and SIGTERM reach the command, and this waits for it to finish.
import { spawn } from 'node:child_process';
import { runWithKeyring } from './keyring.mjs';

const argv = process.argv.slice(2);
if (argv.length === 0) {
  console.error('Usage: node build/scripts/with-keyring.mjs <command> [args...]');
  process.exit(2);
}

/** Inside a keyring already: run the command, passing signals on. */
function runHere() {
  const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

process.exit(process.env.PMSG_KEYRING_READY === '1' ? await runHere() : await runWithKeyring(argv));
