/**
 * Starts the browser harness (relay + reception and GP windows) as a child process for the e2e
 * tests, and gives them the test-only endpoints: enrolment codes and revocations at the relay,
 * stopping and starting the relay, the clipboard, and what a window's open profile database
 * stores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { Role } from '../../shared/protocol/limits.js';

/** Read from the profile's repositories by the harness (tests/harness/start-harness.ts). */
export interface StoredInProfile {
  present: string[];
  tombstoned: string[];
  audit: { action: string; messageIds: string[] }[];
}

export interface PracticeHarness {
  windows: Record<string, string>;
  relayUrl: string;
  /** Holds profiles/<window>/ and profiles/<window>-files/ (the harness's "chosen" folder). */
  dataDir: string;
  stored(window: string, messageIds: readonly string[]): Promise<StoredInProfile>;
  issueEnrolmentCode(displayName: string, role: Role): Promise<string>;
  /** A new account's code and the account id it will enrol. */
  issueEnrolment(displayName: string, role: Role): Promise<{ code: string; accountId: string }>;
  /** A code for one more device of an existing account (a replacement PC). */
  issueDeviceCode(accountId: string): Promise<string>;
  /** What IT does for a lost or replaced PC: the relay refuses the device(s), wiping or not. */
  revoke(accountId: string, options: { wipe: boolean; deviceId?: number }): Promise<number>;
  clipboard(window: string): Promise<string | null>;
  /** A relay outage: stops the relay, or starts it again on the same port and data. */
  relay(change: 'stop' | 'start'): Promise<void>;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '../..');

export async function startPracticeHarness(args: readonly string[] = []): Promise<PracticeHarness> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'tests/harness/harness-cli.ts', ...args],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`The harness exited early (${code}).`)));
  });
  const info = JSON.parse(first) as {
    url: string;
    token: string;
    relayUrl: string;
    dataDir: string;
    windows: Record<string, string>;
  };
  const headers = { 'x-harness-token': info.token, 'content-type': 'application/json' };
  const enrolmentCode = async (target: object) => {
    const response = await fetch(`${info.url}/__harness/enrolment-code`, {
      method: 'POST',
      headers,
      body: JSON.stringify(target),
    });
    if (!response.ok) throw new Error(`Enrolment code refused: ${await response.text()}`);
    return (await response.json()) as { code: string; accountId: string };
  };
  return {
    windows: info.windows,
    relayUrl: info.relayUrl,
    dataDir: info.dataDir,
    async stored(window, messageIds) {
      const response = await fetch(`${info.url}/__harness/stored/${window}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ messageIds }),
      });
      if (!response.ok) throw new Error(`Stored messages: ${await response.text()}`);
      return (await response.json()) as StoredInProfile;
    },
    issueEnrolmentCode: async (displayName, role) =>
      (await enrolmentCode({ displayName, role })).code,
    issueEnrolment: (displayName, role) => enrolmentCode({ displayName, role }),
    async issueDeviceCode(accountId) {
      return (await enrolmentCode({ accountId })).code;
    },
    async revoke(accountId, options) {
      const response = await fetch(`${info.url}/__harness/revoke`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ accountId, ...options }),
      });
      if (!response.ok) throw new Error(`Revoke refused: ${await response.text()}`);
      return ((await response.json()) as { revoked: number }).revoked;
    },
    async relay(change) {
      const response = await fetch(`${info.url}/__harness/relay/${change}`, {
        method: 'POST',
        headers,
      });
      if (!response.ok) throw new Error(`Relay ${change} refused: ${await response.text()}`);
    },
    async clipboard(window) {
      const response = await fetch(`${info.url}/__harness/clipboard/${window}`, { headers });
      return ((await response.json()) as { text: string | null }).text;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
