// `npm test`: builds, then runs every suite (Vitest for unit and integration, Playwright for the
// browser end-to-end tests) against a real keyring, and ends with one line `N passed, N failed`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runWithKeyring } from './keyring.mjs';
import { postgresBinDir, startPrivatePostgres } from './private-postgres.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const reports = path.join(root, 'test-results');

if (process.env.PMSG_KEYRING_READY !== '1' && process.platform === 'linux') {
  process.exit(await runWithKeyring([process.execPath, ...process.argv.slice(1)]));
}

// Children run asynchronously so that SIGINT and SIGTERM reach this process at once: they are
// passed on to the running suite, and the run ends (removing the private PostgreSQL) when it has.
let current = null;
let interrupted = null;
function run(command, args, extraEnv = {}) {
  return new Promise((resolve) => {
    // Its own process group, so that a signal reaches npx and the suite it started alike.
    current = spawn(command, args, {
      cwd: root,
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, ...extraEnv },
    });
    current.once('exit', (code) => {
      current = null;
      if (interrupted) process.exit(interrupted === 'SIGINT' ? 130 : 143);
      resolve(code ?? 1);
    });
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupted = signal;
    if (current) process.kill(-current.pid, signal);
    else process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

mkdirSync(reports, { recursive: true });
if (process.env.PMSG_SKIP_BUILD !== '1' && (await run('npm', ['run', '--silent', 'build'])) !== 0) {
  console.error('The build failed, so no test ran.');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// The relay suites run against PostgreSQL too when it is installed (.ci/run installs it): a
// private cluster for this run, removed on exit, Ctrl-C or SIGTERM.
if (process.env.PMSG_TEST_POSTGRES_URL === undefined && postgresBinDir() !== null) {
  const pg = await startPrivatePostgres();
  process.env.PMSG_TEST_POSTGRES_URL = pg.url;
  process.on('exit', () => pg.stop());
} else if (process.env.PMSG_TEST_POSTGRES_URL === undefined) {
  console.log('PostgreSQL is not installed: the relay suites run against SQLite only.');
}

const filter = process.argv.slice(2);
let passed = 0;
let failed = 0;

const vitestReport = path.join(reports, 'vitest.json');
const vitestStatus = await run('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestReport}`,
  ...filter,
]);
if (existsSync(vitestReport)) {
  const report = JSON.parse(readFileSync(vitestReport, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + countFilesFailedWithoutTests(report);
} else if (vitestStatus !== 0) {
  failed += 1;
}

const e2eDir = path.join(root, 'tests/e2e');
const hasE2e =
  existsSync(e2eDir) &&
  readdirSync(e2eDir, { recursive: true }).some((f) => String(f).endsWith('.spec.ts'));
if (hasE2e && filter.length === 0) {
  const e2eReport = path.join(reports, 'playwright.json');
  const e2eStatus = await run('npx', ['playwright', 'test'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: e2eReport,
  });
  if (existsSync(e2eReport)) {
    const stats = JSON.parse(readFileSync(e2eReport, 'utf8')).stats;
    passed += stats.expected + stats.flaky;
    failed += stats.unexpected;
  } else if (e2eStatus !== 0) {
    failed += 1;
  }
}

// A test file that fails to load (or in a hook) has no failed tests of its own; count it once so
// it is not hidden. (numFailedTestSuites counts describe blocks too, so it cannot serve here.)
function countFilesFailedWithoutTests(report) {
  return report.testResults.filter(
    (s) => s.status === 'failed' && !s.assertionResults.some((t) => t.status === 'failed'),
  ).length;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
