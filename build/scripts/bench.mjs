// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) with tsx
// against a real keyring. Each benchmark measures its own baseline in the same run and prints ratios.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runWithKeyring } from './keyring.mjs';

const root = path.resolve(import.meta.dirname, '../..');
if (process.env.PMSG_KEYRING_READY !== '1' && process.platform === 'linux') {
  process.exit(await runWithKeyring([process.execPath, ...process.argv.slice(1)]));
}
const wanted = process.argv.slice(2);
const files = readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failures = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const status = spawnSync('npx', ['tsx', path.join('bench', file)], {
    cwd: root,
    stdio: 'inherit',
  }).status;
  if (status !== 0) failures += 1;
}
if (files.length === 0) console.log('No benchmark matched.');
process.exit(failures === 0 ? 0 : 1);
