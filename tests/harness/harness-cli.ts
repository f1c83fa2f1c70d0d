/**
 * `node --import tsx tests/harness/harness-cli.ts [--windows reception,gp] [--pid-guard warn|block] [--allow-export]`
 * Starts a practice (relay + harness) and prints ONE JSON line on stdout with the URLs and the
 * token for the test endpoints; the e2e tests spawn it. Stops on SIGTERM/SIGINT or stdin close.
 */
import { parseArgs } from 'node:util';
import { startPractice } from './start-practice.js';

const { values } = parseArgs({
  options: {
    windows: { type: 'string', default: 'reception,gp' },
    'pid-guard': { type: 'string', default: 'warn' },
    port: { type: 'string' },
    'allow-export': { type: 'boolean', default: false },
  },
});
const pidGuard = values['pid-guard'];
if (pidGuard !== 'warn' && pidGuard !== 'block') {
  console.error('--pid-guard must be "warn" or "block".');
  process.exit(2);
}
const windows = values.windows.split(',').filter(Boolean);

// Handlers first: a signal that comes while the practice starts, or just as its line is
// printed, still removes the folder (without them Node would die of the signal, leaving it).
let practice: Awaited<ReturnType<typeof startPractice>> | null = null;
let stopRequested = false;
let stopping = false;
async function stop(): Promise<void> {
  if (!practice) {
    stopRequested = true; // stopped as soon as it has started (below)
    return;
  }
  if (stopping) return;
  stopping = true;
  await practice.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

practice = await startPractice({
  windows,
  policy: { pidGuard, allowExport: values['allow-export'] },
  ...(values.port ? { port: Number(values.port) } : {}),
});
console.log(
  JSON.stringify({
    url: practice.harness.url,
    token: practice.harness.token,
    relayUrl: practice.relay.url,
    dataDir: practice.dataDir,
    windows: Object.fromEntries(windows.map((w) => [w, practice.harness.windowUrl(w)])),
  }),
);

if (stopRequested) await stop();
process.stdin.on('end', () => void stop());
process.stdin.resume();
