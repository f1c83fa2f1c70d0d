import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PracticeAuditForwarder } from '../../../../main/core/audit/practice-audit-forwarder.js';
import { readPracticeAudit } from '../../../../main/core/audit/practice-audit-reader.js';
import { readRelayAccount } from '../../../../main/core/messaging/relay-account.js';
import { relayDatabaseFile } from '../../../../server/storage/sqlite-relay-storage.js';
import { createWorld, type Staff, type World } from '../messaging/messaging-harness.js';

// The practice audit trail end to end: real profiles (SQLCipher, keychain), a real relay over
// real sockets. A device's events reach the practice's manager sealed, survive the device's
// remote wipe and the deletion of its profile, and tampering with the relay's table shows.

let world: World;
let manager: Staff;
let gp: Staff;
let receptionist: Staff;

async function enrolAs(name: string, role: 'manager' | 'clinician' | 'reception') {
  const issued = await world.relay.relay.enrol({
    displayName: name,
    role,
    org: 'Riverside Surgery',
  });
  return world.enrolWithCode(name, issued.code);
}

function forwarder(member: Staff) {
  const account = readRelayAccount(member.profile.repositories.settings);
  if (!account) throw new Error('not enrolled');
  return new PracticeAuditForwarder(member.profile.repositories, account, member.core.relay);
}

function readAs(member: Staff) {
  const account = readRelayAccount(member.profile.repositories.settings);
  if (!account) throw new Error('not enrolled');
  return readPracticeAudit(member.core.relay, member.profile.repositories, account);
}

const conversationId = 'conv-riverside-0001';

function confirmTranscription(member: Staff) {
  // What TranscriptionService.confirm writes (transcriptionAuditActions.confirmed).
  member.profile.repositories.audit.append({
    at: Date.now(),
    actorAccountId: member.accountId,
    action: 'transcription.confirmed',
    conversationId,
    messageIds: ['msg-advice-1', 'msg-advice-2'],
    patientRefHash: 'a1b2c3d4e5f60718',
    details: { communicationId: 'comm-1', deleteOriginals: 'after_undo' },
  });
}

function tamper(sql: string) {
  const db = new Database(path.join(world.relay.dataDir, relayDatabaseFile));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

beforeEach(async () => {
  world = await createWorld();
  manager = await enrolAs('Sam Lee', 'manager');
  gp = await enrolAs('Dr Amira Khan', 'clinician');
  receptionist = await enrolAs('Jane Doe', 'reception');
});
afterEach(async () => {
  await world.cleanup();
});

describe('the practice audit trail', () => {
  it("shows a GP's transcription to the manager after the GP's device is wiped and its profile deleted", async () => {
    confirmTranscription(gp);
    expect(await forwarder(gp).flush()).toBe(1);
    // Sent once: a second flush has nothing new.
    expect(await forwarder(gp).flush()).toBe(0);

    await world.relay.relay.revoke(gp.accountId, { deviceId: 1, wipe: true });
    // The device is told to wipe on its next contact (the relay records that too).
    await expect(gp.core.relay.call('me')).rejects.toMatchObject({ code: 'remote_wipe' });
    const gpProfileId = gp.profile.id;
    gp.close();
    await world.store.delete(gpProfileId);

    const trail = await readAs(manager);
    expect(trail).toMatchObject({ intact: true, brokenAt: null });
    const confirmed = trail.entries.find((e) => e.action === 'transcription.confirmed');
    expect(confirmed).toMatchObject({
      source: 'device',
      accountId: gp.accountId,
      deviceId: 1,
      actorAccountId: gp.accountId,
      conversationId,
      messageIds: ['msg-advice-1', 'msg-advice-2'],
      patientRefHash: 'a1b2c3d4e5f60718',
      readable: true,
    });
    const relayKinds = trail.entries.filter((e) => e.source === 'relay').map((e) => e.action);
    expect(relayKinds).toEqual(
      expect.arrayContaining(['device.enrolled', 'device.revoked', 'device.wiped']),
    );
  });

  it('stores only ciphertext on the relay: no action, conversation or patient reference', async () => {
    confirmTranscription(gp);
    await forwarder(gp).flush();
    const db = new Database(path.join(world.relay.dataDir, relayDatabaseFile), { readonly: true });
    try {
      const rows = db.prepare("SELECT payload FROM audit_trail WHERE source = 'device'").all() as {
        payload: Buffer;
      }[];
      expect(rows).toHaveLength(1);
      const stored = rows[0]!.payload.toString('latin1');
      for (const secret of [
        'transcription.confirmed',
        conversationId,
        'a1b2c3d4e5f60718',
        'msg-advice-1',
      ]) {
        expect(stored).not.toContain(secret);
      }
    } finally {
      db.close();
    }
  });

  it('refuses the practice trail to a receptionist', async () => {
    confirmTranscription(gp);
    await forwarder(gp).flush();
    await expect(readAs(receptionist)).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('reports where a deleted or reordered relay row breaks the chain', async () => {
    confirmTranscription(gp);
    confirmTranscription(gp);
    confirmTranscription(gp);
    await forwarder(gp).flush();
    const seqs = (await readAs(manager)).entries
      .filter((e) => e.source === 'device')
      .map((e) => e.seq);
    expect(seqs).toHaveLength(3);
    tamper(`DELETE FROM audit_trail WHERE seq = ${seqs[1]}`);
    expect(await readAs(manager)).toMatchObject({ intact: false, brokenAt: seqs[2] });
  });

  it('notices the newest records cut off after it last verified the trail', async () => {
    confirmTranscription(gp);
    confirmTranscription(gp);
    await forwarder(gp).flush();
    const first = await readAs(manager);
    expect(first.intact).toBe(true);
    const last = first.entries[first.entries.length - 1]!.seq;
    tamper(`DELETE FROM audit_trail WHERE seq = ${last}`);
    expect(await readAs(manager)).toMatchObject({ intact: false, brokenAt: last });
  });
});
