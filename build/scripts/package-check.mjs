// `npm run package:check` (after `npm run build`): lays the app out with electron-builder in
// `--dir` mode, from the real electron-builder.yml, for this machine's platform, then opens
// app.asar and checks what it ships (build/scripts/package-rules.mjs). No Electron download: a
// stand-in Electron distribution (`electronDist`, a folder made here) takes the runtime's place.
// Exits 0 when the package is right, 1 when it is not, and removes its temporary folder.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { packageProblems, relative } from './package-rules.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

/** Steps electron-builder would run that need the real Electron binary or a download. */
const skipped = [
  'afterPack (build/fuses.cjs): flipping the fuses patches the real Electron binary, which a stand-in is not',
  "npmRebuild: rebuilding better-sqlite3-multiple-ciphers for Electron's ABI downloads Electron's headers; the binary checked is the one built for Node",
  'installers (nsis, msi, dmg, AppImage, deb): they download their tools; only the unpacked layout (--dir) is made',
];

class CheckFailed extends Error {}

function fail(message) {
  throw new CheckFailed(message);
}

if (process.platform !== 'linux') {
  console.error('package:check runs on Linux (as in CI); elsewhere build the real installers.');
  process.exit(1);
}
if (!existsSync(path.join(root, 'out/main/index.js'))) {
  console.error('package:check: out/main/index.js is missing: run `npm run build` first.');
  process.exit(1);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'pmsg-package-check-'));
try {
  // The stand-in: an `electron` executable that refuses to run, in place of Electron's zip.
  const dist = path.join(work, 'electron-dist');
  mkdirSync(dist);
  writeFileSync(
    path.join(dist, 'electron'),
    '#!/bin/sh\necho "stand-in Electron from npm run package:check: not runnable" >&2\nexit 1\n',
  );
  chmodSync(path.join(dist, 'electron'), 0o755);
  const output = path.join(work, 'release');

  const started = Date.now();
  const builder = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { build, Platform } from 'electron-builder';
       await build({
         projectDir: process.env.PMSG_ROOT,
         targets: Platform.LINUX.createTarget('dir'),
         publish: 'never',
         config: {
           electronDist: process.env.PMSG_DIST,
           npmRebuild: false,
           afterPack: null,
           directories: { output: process.env.PMSG_OUT },
         },
       });`,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PMSG_ROOT: root, PMSG_DIST: dist, PMSG_OUT: output },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (builder.status !== 0) {
    process.stderr.write(`${builder.stdout.slice(-4000)}${builder.stderr.slice(-4000)}`);
    fail(`electron-builder --dir failed (exit ${builder.status}).`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  const appDir = path.join(output, 'linux-unpacked');
  const resources = path.join(appDir, 'resources');
  const asar = require('@electron/asar');
  // The archive's own index: which files are inside it and which are only marked unpacked.
  const asarFiles = [];
  const markedUnpacked = [];
  const walk = (node, prefix) => {
    for (const [name, entry] of Object.entries(node.files ?? {})) {
      const file = `${prefix}${name}`;
      if (entry.files) walk(entry, `${file}/`);
      else (entry.unpacked ? markedUnpacked : asarFiles).push(file);
    }
  };
  walk(asar.getRawHeader(path.join(resources, 'app.asar')).header, '');
  const listFiles = (dir) =>
    existsSync(dir)
      ? readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => relative(dir, path.join(entry.parentPath, entry.name)))
      : [];
  const unpackedFiles = listFiles(path.join(resources, 'app.asar.unpacked'));
  const missing = markedUnpacked.filter((f) => !unpackedFiles.includes(f));
  const resourceFiles = listFiles(resources).filter(
    (f) => f !== 'app.asar' && !f.startsWith('app.asar.unpacked/'),
  );
  const builderYml = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
  const nativeModules = [...builderYml.matchAll(/^ {2}- (node_modules\/\S+?)\/\*\*$/gm)].map(
    (m) => m[1],
  );
  const shippedExample = path.join(resources, 'policy.example.json');

  const problems = packageProblems({
    asarFiles,
    unpackedFiles,
    resourceFiles,
    lock: JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')),
    nativeModules,
    platform: process.platform,
    arch: process.arch,
    shippedPolicyExample: existsSync(shippedExample)
      ? readFileSync(shippedExample, 'utf8')
      : undefined,
    policyExample: readFileSync(path.join(root, 'build/policy.example.json'), 'utf8'),
  });

  console.log(`package:check: electron-builder --dir (linux ${process.arch}) in ${seconds} s`);
  console.log(
    `  app.asar: ${asarFiles.length} files; unpacked beside it: ${unpackedFiles.length} files; native modules: ${nativeModules.join(', ')}`,
  );
  for (const step of skipped) console.log(`  skipped: ${step}`);
  for (const file of missing.slice(0, 5)) {
    problems.push(`app.asar marks ${file} unpacked, but it is not in app.asar.unpacked`);
  }
  if (problems.length > 0) {
    if (problems.some((problem) => problem.includes('is missing (a package needs it'))) {
      try {
        if (lstatSync(path.join(root, 'node_modules')).isSymbolicLink()) {
          console.error(
            '  note: node_modules is a symbolic link (a git worktree?); electron-builder cannot follow it to the dependencies of dependencies. Run on a checkout with its own node_modules, as CI does.',
          );
        }
      } catch {
        // No node_modules at all: the missing-dependency lines say enough.
      }
    }
    for (const problem of problems.slice(0, 50)) console.error(`  FAIL ${problem}`);
    if (problems.length > 50) console.error(`  ... and ${problems.length - 50} more`);
    fail(`${problems.length} problem(s) with what the installer would ship.`);
  }
  console.log(
    '  ok: only out/ and production dependencies; native modules unpacked for this platform; no tests, harness, bench, docs, source maps or dev dependencies; policy example and templates in resources; no update feed',
  );
} catch (error) {
  if (!(error instanceof CheckFailed)) throw error;
  console.error(`package:check: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
