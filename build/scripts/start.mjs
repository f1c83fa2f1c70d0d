// `npm start`: builds if the bundles are missing or older than the sources, fetches the Electron
// runtime on demand (npm installs here skip it: ELECTRON_SKIP_BINARY_DOWNLOAD), then launches the
// app. Where the runtime cannot be downloaded it says so, and what to do instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const electronDir = path.join(root, 'node_modules/electron');
const downloadTimeoutMs = 180_000;

const bundles = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const sources = ['main', 'preload', 'renderer', 'shared', 'electron.vite.config.ts'];

function newestMtime(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(full, { recursive: true }).reduce((newest, name) => {
    const file = path.join(full, String(name));
    return Math.max(newest, statSync(file).mtimeMs);
  }, 0);
}

function needsBuild() {
  const paths = bundles.map((b) => path.join(root, b));
  if (!paths.every((p) => existsSync(p))) return true;
  const oldestBundle = Math.min(...paths.map((p) => statSync(p).mtimeMs));
  return sources.some((s) => newestMtime(s) > oldestBundle);
}

// What `require('electron')` answers from plain Node, read directly: this script must not
// import electron (only main/electron/ and preload/ may).
function electronBinary() {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function hasScript(name) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return Boolean(pkg.scripts?.[name]);
}

function explainMissingRuntime(reason) {
  const version = JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;
  const zip = `electron-v${version}-${process.platform}-${process.arch}.zip`;
  const demo = hasScript('demo')
    ? '`npm run demo`'
    : '`npm run demo` (once available; it is being written)';
  console.error(
    [
      '',
      'Practice Messenger: the Electron runtime could not be downloaded, so the desktop app cannot start on this machine.',
      reason ? `  Reason: ${reason}` : '',
      '',
      'To run the desktop app, do one of these and run `npm start` again:',
      `  - allow this machine to reach Electron's release downloads (https://github.com/electron/electron/releases/tag/v${version});`,
      '  - set ELECTRON_MIRROR to a mirror you can reach (for example an internal Artifactory or npmmirror);',
      `  - put ${zip} in the Electron cache (ELECTRON_CACHE, by default ~/.cache/electron on Linux).`,
      '',
      `To see the product without Electron, in a browser: ${demo}.`,
      '',
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n'),
  );
}

function fetchRuntime() {
  console.log('Fetching the Electron runtime (first start only)...');
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    cwd: electronDir,
    env,
    encoding: 'utf8',
    timeout: downloadTimeoutMs,
  });
  if (result.status === 0 && electronBinary()) return { ok: true };
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  const firstLine = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0 && !l.startsWith('at '));
  const reason =
    result.error?.code === 'ETIMEDOUT'
      ? `no answer within ${downloadTimeoutMs / 1000} s`
      : (firstLine ?? `install.js exited with ${result.status}`);
  return { ok: false, reason };
}

if (needsBuild()) {
  console.log('Building...');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('The build failed; fix it and run `npm start` again.');
    process.exit(build.status ?? 1);
  }
}

let binary = electronBinary();
if (!binary) {
  const fetched = fetchRuntime();
  if (!fetched.ok) {
    explainMissingRuntime(fetched.reason);
    process.exit(1);
  }
  binary = electronBinary();
}

const child = spawn(binary, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
