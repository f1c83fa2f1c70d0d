/**
 * A practice on one machine for the browser: a relay on loopback and harness windows (each with
 * its own profile root) served by one harness. Used by the e2e tests, `npm run demo` and the
 * renderer benchmark.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadedPolicy } from '../../main/core/policy/load-policy.js';
import { policySchema, type Policy } from '../../main/core/policy/policy-schema.js';
import { createHarnessWindow, type HarnessWindow } from './harness-window.js';
import { startRestartableRelay, type RestartableRelay } from './restartable-relay.js';
import { startHarness, type RunningHarness } from './start-harness.js';

export interface PracticeOptions {
  windows: readonly string[];
  /**
   * Holds relay/ and one profile root per window; when absent, a fresh temporary folder that
   * close() removes (profiles, FHIR files and SAR exports included).
   */
  dataDir?: string;
  policy?: Partial<Omit<Policy, 'serverUrl'>>;
  port?: number;
}

export interface RunningPractice {
  relay: RestartableRelay;
  harness: RunningHarness;
  windows: ReadonlyMap<string, HarnessWindow>;
  dataDir: string;
  close(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '../..');
export const rendererDir = path.join(root, 'out/renderer');

export async function startPractice(options: PracticeOptions): Promise<RunningPractice> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'pmsg-harness-'));
  const removeDataDir = () => {
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  mkdirSync(path.join(dataDir, 'relay'), { recursive: true });
  const relay = await startRestartableRelay({
    dataDir: path.join(dataDir, 'relay'),
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
  });
  const policy: LoadedPolicy = {
    policy: policySchema.parse({ ...options.policy, serverUrl: relay.url }),
    source: 'command-line',
    path: null,
  };
  const version = (
    JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const windows = options.windows.map((name) =>
    createHarnessWindow({
      name,
      profileRoot: path.join(dataDir, 'profiles', name),
      policy,
      version,
    }),
  );
  let harness: RunningHarness;
  try {
    harness = await startHarness({
      rendererDir,
      windows,
      relay,
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
  } catch (error) {
    await relay.close();
    for (const window of windows) await window.close();
    removeDataDir();
    throw error;
  }
  return {
    relay,
    harness,
    windows: new Map(windows.map((w) => [w.name, w])),
    dataDir,
    async close() {
      try {
        await harness.close();
        await relay.close();
      } finally {
        removeDataDir();
      }
    },
  };
}
