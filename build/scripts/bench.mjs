// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) with tsx
// against a real keyring. Each benchmark measures its own baseline in the same run and prints ratios.
// `npm run bench -- --json <file>` also writes every figure as a JSON array (bench-figures.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { figuresDocument, parseBenchArgs } from './bench-figures.mjs';
import { runWithKeyring } from './keyring.mjs';

const root = path.resolve(import.meta.dirname, '../..');
let args;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
if (process.env.PMSG_KEYRING_READY !== '1' && process.platform === 'linux') {
  process.exit(await runWithKeyring([process.execPath, ...process.argv.slice(1)]));
}
const { json, wanted } = args;
const files = readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
const figuresDir = json ? mkdtempSync(path.join(tmpdir(), 'pmsg-bench-figures-')) : null;
let failures = 0;
const perBench = [];
try {
  for (const file of files) {
    console.log(`\n== ${file}`);
    const figuresFile = figuresDir ? path.join(figuresDir, `${file}.jsonl`) : null;
    const status = spawnSync('npx', ['tsx', path.join('bench', file)], {
      cwd: root,
      stdio: 'inherit',
      env: figuresFile ? { ...process.env, PMSG_BENCH_FIGURES: figuresFile } : process.env,
    }).status;
    if (status !== 0) failures += 1;
    if (figuresFile) {
      const bench = file.replace(/\.bench\.ts$/, '');
      perBench.push({
        bench,
        text: existsSync(figuresFile) ? readFileSync(figuresFile, 'utf8') : '',
      });
    }
  }
  if (json) {
    const target = path.resolve(process.env.INIT_CWD ?? process.cwd(), json);
    writeFileSync(target, figuresDocument(perBench));
    console.log(`\nfigures written to ${target}`);
  }
} finally {
  if (figuresDir) rmSync(figuresDir, { recursive: true, force: true });
}
if (files.length === 0) console.log('No benchmark matched.');
process.exit(failures === 0 ? 0 : 1);
