/**
 * `npm run demo`: Practice Messenger in a browser, for a newcomer on a machine without the
 * Electron runtime. Starts a relay on loopback and three windows, a receptionist, a GP and the
 * practice manager, each with its profile created and enrolled, a first exchange between
 * reception and the GP and one between the manager and reception, then prints the URLs and
 * passcodes. Everything lives in one temporary folder (and a private keyring) that is removed on
 * exit, Ctrl+C (SIGINT) and SIGTERM, also when they come before the demo has finished starting.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Role } from '../../shared/protocol/limits.js';
import type { HarnessWindow } from './harness-window.js';
import { rendererDir, startPractice, type RunningPractice } from './start-practice.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const root = path.resolve(import.meta.dirname, '../..');

const staff = [
  { window: 'reception', name: 'Sam Jones', role: 'reception', passcode: 'reception-desk' },
  { window: 'gp', name: 'Dr Priya Patel', role: 'clinician', passcode: 'consulting-room' },
  // The audit log is offered to practice managers (and admins) only.
  { window: 'manager', name: 'Karen Hughes', role: 'manager', passcode: 'practice-office' },
] as const satisfies readonly { window: string; name: string; role: Role; passcode: string }[];

async function call<T>(window: HarnessWindow, method: string, request: unknown): Promise<T> {
  const result = (await window.core.dispatcher.dispatch(method, request)) as
    { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
  if (!result.ok) throw new Error(`${method} failed: ${result.error.message}`);
  return result.value;
}

async function enrolStaff(practice: RunningPractice): Promise<Map<string, string>> {
  const accounts = new Map<string, string>();
  for (const member of staff) {
    const window = practice.windows.get(member.window)!;
    const issued = await practice.relay.enrol({ displayName: member.name, role: member.role });
    await call(window, 'profiles.create', { displayName: member.name, passcode: member.passcode });
    await call(window, 'account.enrol', {
      serverUrl: practice.relay.url,
      enrolmentCode: issued.code,
    });
    await call(window, 'settings.set', { notificationPrivacy: 'new_message' });
    accounts.set(member.window, issued.accountId);
  }
  return accounts;
}

async function firstExchange(practice: RunningPractice, accounts: Map<string, string>) {
  const reception = practice.windows.get('reception')!;
  const { conversation } = await call<{ conversation: { id: string } }>(
    reception,
    'conversations.create',
    { participantIds: [accounts.get('gp')] },
  );
  await call(reception, 'messages.send', {
    conversationId: conversation.id,
    text: 'Morning! Mrs A rang about her blood results, could you call her back after 2pm?',
  });
  // The manager's own conversation, so the SAR export and the audit log have something to show.
  const manager = practice.windows.get('manager')!;
  const { conversation: fromManager } = await call<{ conversation: { id: string } }>(
    manager,
    'conversations.create',
    { participantIds: [accounts.get('reception')] },
  );
  await call(manager, 'messages.send', {
    conversationId: fromManager.id,
    text: 'Sam, could you cover the front desk on Thursday afternoon? The CQC visit is at 2pm.',
  });
  // The GP's answer, so there is advice to transcribe straight away.
  const gp = practice.windows.get('gp')!;
  const { conversation: fromGp } = await call<{ conversation: { id: string } }>(
    gp,
    'conversations.create',
    { participantIds: [accounts.get('reception')] },
  );
  await call(gp, 'messages.send', {
    conversationId: fromGp.id,
    text: 'Her results are normal. Please tell her no action is needed; I will call at 2.30pm.',
  });
}

// One folder holds everything; it goes on every way out, even mid-start.
const dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-harness-'));
let practice: RunningPractice | null = null;
let stopping = false;
const removeData = () => rmSync(dataDir, { recursive: true, force: true });
process.on('exit', removeData);
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the demo and removing its data...');
  await practice?.close().catch(() => undefined);
  removeData();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));

function build(script: string, needed: string, why: string): void {
  if (existsSync(needed)) return;
  console.log(why);
  const built = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) void stop(built.status ?? 1);
}
build(
  'build:app',
  path.join(rendererDir, 'index.html'),
  'Building the renderer (first run only)...',
);
// The hints below run `npx pmsg`, which runs the compiled CLI.
build(
  'build:node',
  path.join(root, 'dist/server/cli.js'),
  'Building the command line (first run only)...',
);

practice = await startPractice({
  windows: staff.map((s) => s.window),
  dataDir,
  // So a newcomer can try the Subject Access Request export (files land beside the profiles).
  policy: { allowExport: true },
  port: Number(values.port),
});
const accounts = await enrolStaff(practice);
await firstExchange(practice, accounts).catch((error: unknown) =>
  console.warn(`(No first message: ${error instanceof Error ? error.message : String(error)})`),
);
// Give the outbox a moment to hand the first message to the relay before the profiles lock.
await new Promise((resolve) => setTimeout(resolve, 1500));
for (const window of practice.windows.values()) await window.close();

console.log(`
Practice Messenger demo: a relay on ${practice.relay.url} and three staff, enrolled.
Open each in its own browser window (they are separate PCs in the practice):

  Reception (Sam Jones):      ${practice.harness.windowUrl('reception')}   passcode: ${staff[0].passcode}
  GP (Dr Priya Patel):        ${practice.harness.windowUrl('gp')}   passcode: ${staff[1].passcode}
  Practice manager (Karen Hughes): ${practice.harness.windowUrl('manager')}   passcode: ${staff[2].passcode}

Try: as the GP, open Sam Jones, the "..." menu, "Select messages to transcribe", tick the
messages, "Transcribe selected" (NHS number 943 476 5919 is a valid test number). As the manager:
"Audit log", and "Export for SAR..." in the "..." menu of the conversation with Sam Jones. Saved
files go to ${practice.dataDir}/profiles/<window>-files.
Copy buttons use a simulated clipboard in this browser demo: the text stays inside the demo and
does not reach your computer's clipboard (the desktop app uses the real one).

To enrol someone else (then "Add a profile" in a window and use the code):
  npx pmsg relay enrol --data ${path.join(practice.dataDir, 'relay')} --name "Alex Nurse" --role nurse
Data lives in ${practice.dataDir} for this run only and is removed when you press Ctrl+C.
`);
