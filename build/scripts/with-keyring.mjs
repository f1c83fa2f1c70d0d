// `node build/scripts/with-keyring.mjs <command> [args...]`: runs one command against a private,
// unlocked gnome-keyring (see keyring.mjs). Handy for running a single test file by hand.
import { runWithKeyring } from './keyring.mjs';

const argv = process.argv.slice(2);
if (argv.length === 0) {
  console.error('Usage: node build/scripts/with-keyring.mjs <command> [args...]');
  process.exit(2);
}
process.exit(
  process.env.PMSG_KEYRING_READY === '1'
    ? ((await import('node:child_process')).spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' })
        .status ?? 1)
    : runWithKeyring(argv),
);
