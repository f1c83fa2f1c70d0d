// `npm run bench groups`: one message to a group of N members (default 50) against N one-to-one
// sends of the same message, in the same run, through a real relay in its own process: the time
// from the send until every member's device has stored the message (decrypted and committed).
// The group message is encrypted once with the sender key and uploaded once
// (PUT /v1/messages/multi-recipient); the 1:1 sends are N encryptions and N uploads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KeytarKeychain } from '../main/core/keychain/keytar-keychain.js';
import { createLogger } from '../main/core/log/logger.js';
import { enrolProfile } from '../main/core/messaging/enrolment.js';
import { MessagingCore } from '../main/core/messaging/messaging-core.js';
import type { OpenProfile } from '../main/core/profile/open-profile.js';
import { ProfileStore } from '../main/core/profile/profile-store.js';
import { silentLogger } from '../server/log.js';
import { startRelay } from '../server/relay.js';

const self = fileURLToPath(import.meta.url);
const size = Number(process.env.PMSG_BENCH_GROUP_SIZE ?? 50);
const rounds = Number(process.env.PMSG_BENCH_ROUNDS ?? 5);
const deadlineMs = 120_000;
const quiet = process.env.PMSG_BENCH_LOG
  ? createLogger('bench')
  : createLogger('bench', { sink: () => undefined });

async function startRelayChild(dataDir: string) {
  const child = spawn(process.execPath, [...process.execArgv, self, 'relay-child', dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve) => lines.once('line', resolve));
  lines.close();
  return { child, url: (JSON.parse(first) as { url: string }).url };
}

function enrolViaChild(child: ChildProcess, target: object): Promise<{ code: string }> {
  const lines = createInterface({ input: child.stdout! });
  const answer = new Promise<string>((resolve) =>
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    }),
  );
  child.stdin!.write(`${JSON.stringify(target)}\n`);
  return answer.then((line) => JSON.parse(line) as { code: string });
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Member {
  profile: OpenProfile;
  core: MessagingCore;
}

/** Resolves when every member has stored a message with one of these ids (ms since `start`). */
function storedByAll(members: readonly Member[], ids: () => Set<string>): Promise<void> {
  let remaining = members.length;
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${remaining}/${members.length} members had not stored it in time`)),
      deadlineMs,
    );
    for (const member of members) {
      const off = member.core.events.on((event) => {
        if (event.type !== 'message.added' || !ids().has(event.message.id)) return;
        off();
        remaining -= 1;
        if (remaining === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function runBenchmark() {
  const dir = mkdtempSync(path.join(tmpdir(), 'pmsg-bench-groups-'));
  const { child, url } = await startRelayChild(path.join(dir, 'relay'));
  const store = new ProfileStore({
    root: path.join(dir, 'profiles'),
    keychain: new KeytarKeychain(),
    logger: quiet,
  });
  const everyone: Member[] = [];
  try {
    const enrol = async (name: string): Promise<Member> => {
      const issued = await enrolViaChild(child, {
        displayName: name,
        role: 'clinician',
        org: 'Bench',
      });
      const profile = await store.create({ label: name, passcode: 'bench passcode 1' });
      await enrolProfile(profile, { serverUrl: url, code: issued.code });
      const member = { profile, core: MessagingCore.open(profile, { logger: quiet }) };
      everyone.push(member);
      return member;
    };
    const setupStarted = performance.now();
    const sender = await enrol('Sender');
    const members: Member[] = [];
    for (let i = 0; i < size; i += 1) members.push(await enrol(`Member ${i + 1}`));
    for (const member of everyone) member.core.start();
    const group = await sender.core.groups.create(
      'Bench group',
      members.map((m) => m.core.account.accountId),
    );
    const directs = [];
    for (const member of members)
      directs.push(await sender.core.openDirect(member.core.account.accountId));
    // Warm-up: sessions, the sender key and the group state reach everyone before timing.
    let warmIds = new Set<string>();
    const warmGroup = storedByAll(members, () => warmIds);
    warmIds = new Set([(await sender.core.sendText(group.groupId, 'warm-up')).id]);
    await warmGroup;
    const warmDirectIds = new Set<string>();
    const warmDirect = storedByAll(members, () => warmDirectIds);
    for (const conversation of directs) {
      warmDirectIds.add((await sender.core.sendText(conversation.id, 'warm-up')).id);
    }
    await warmDirect;
    console.log(
      `setup: ${size + 1} profiles enrolled, group created and warmed in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
    );

    const groupMs: number[] = [];
    const directMs: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      // One message to the group.
      let ids = new Set<string>();
      let stored = storedByAll(members, () => ids);
      let started = performance.now();
      ids = new Set([(await sender.core.sendText(group.groupId, `round ${round}`)).id]);
      await stored;
      groupMs.push(performance.now() - started);
      // The same message to each member, one to one.
      const directIds = new Set<string>();
      stored = storedByAll(members, () => directIds);
      started = performance.now();
      for (const conversation of directs) {
        directIds.add((await sender.core.sendText(conversation.id, `round ${round}`)).id);
      }
      await stored;
      directMs.push(performance.now() - started);
      // Receipts of this round settle before the next one is timed.
      await sender.core.flushOutbox();
      for (const member of members) await member.core.flushOutbox();
    }
    const g = median(groupMs);
    const d = median(directMs);
    console.log(
      `one message to a ${size}-member group, until every member stored it: median ${g.toFixed(0)} ms over ${rounds} rounds (${groupMs.map((v) => v.toFixed(0)).join(', ')})`,
    );
    console.log(
      `${size} one-to-one sends of it, until every member stored theirs: median ${d.toFixed(0)} ms (${directMs.map((v) => v.toFixed(0)).join(', ')})`,
    );
    console.log(`ratio (group / one-to-one): ${(g / d).toFixed(2)} (aim: <= 0.2)`);
    console.log(
      [
        'What the ratio compares: both paths end when every member device has decrypted the',
        'message and committed it to its own encrypted database. All member devices run in this',
        'one Node process (one event loop for 51 cores), the relay in a second, so the receiving',
        'side, identical in both paths, weighs on both numbers; what differs is the sender: one',
        'sender-key encryption and one upload against N Signal encryptions and N uploads (and N',
        'sent-status commits).',
      ].join('\n'),
    );
  } finally {
    for (const member of everyone) {
      member.core.stop();
      member.profile.close();
      await store.delete(member.profile.id).catch(() => undefined);
    }
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'relay-child') {
  const relay = await startRelay({
    dataDir: process.argv[3] as string,
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    limits: {
      requestBurst: 100_000,
      requestsPerSecond: 100_000,
      anonymousBurst: 1000,
      anonymousPerSecond: 1000,
      bundleBurst: 1000,
    },
  });
  process.stdout.write(`${JSON.stringify({ url: relay.url })}\n`);
  createInterface({ input: process.stdin }).on('line', (line) => {
    void relay.enrol(JSON.parse(line)).then((issued) => {
      process.stdout.write(`${JSON.stringify(issued)}\n`);
    });
  });
  process.on('SIGTERM', () => void relay.close().then(() => process.exit(0)));
} else {
  await runBenchmark();
}
