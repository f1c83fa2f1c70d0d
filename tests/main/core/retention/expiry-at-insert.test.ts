// Every stored message has its retention expiry from the moment it is inserted (policy and the
// conversation's disappearing timer, counted from receipt), so no later pass can miss one. The
// pass it replaced was keyed on rowid and missed a message that reused the rowid of a message a
// peer deleted in the same receive batch.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEncryptedDatabase } from '../../../../main/core/db/encrypted-database.js';
import { createRepositories } from '../../../../main/core/db/repositories/repositories.js';
import { runMigrations } from '../../../../main/core/db/run-migrations.js';
import {
  expiryOfNewMessage,
  retentionDaysSetting,
} from '../../../../main/core/retention/expiry-policy.js';
import { RetentionService } from '../../../../main/core/retention/retention-service.js';
import { makeTempDir } from '../helpers/temp-profiles.js';
import { createWorld, eventually, type World } from '../messaging/messaging-harness.js';

const day = 24 * 60 * 60 * 1000;

describe('expiry computed at insert', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('uses the recorded policy and the timer, from when this device stored the message', () => {
    const db = createEncryptedDatabase(path.join(temp.dir, 'x.db'), randomBytes(32));
    try {
      runMigrations(db);
      const repos = createRepositories(db);
      const conversation = repos.conversations.getOrCreateDirect('peer', 0);
      // As every path that stores a message does: the expiry from the rule, unless given.
      const insert = (id: string, expiresAt?: number) =>
        repos.messages.insert({
          id,
          conversationId: conversation.id,
          direction: 'incoming',
          senderAccountId: 'peer',
          body: id,
          status: 'delivered',
          // A sender's clock days fast must not keep the message longer.
          sentAt: 50 * day,
          receivedAt: 1_000,
          expiresAt: expiresAt ?? expiryOfNewMessage(repos, conversation.id, 1_000),
        });
      const expiry = (id: string) => repos.messages.get(id)?.expiresAt;

      insert('no-policy');
      expect(expiry('no-policy')).toBeNull();
      repos.settings.set(retentionDaysSetting, 30, 0);
      insert('policy');
      expect(expiry('policy')).toBe(1_000 + 30 * day);
      repos.conversations.setDisappearingSeconds(conversation.id, 3600);
      insert('timer');
      expect(expiry('timer')).toBe(1_000 + 3600_000);
      insert('explicit', 5_000);
      expect(expiry('explicit')).toBe(5_000);
    } finally {
      db.close();
    }
  });
});

describe("a peer's delete and a new message in the same receive batch", () => {
  let world: World;
  beforeEach(async () => {
    world = await createWorld();
  });
  afterEach(async () => {
    await world.cleanup();
  });

  it('the new message, stored in the deleted newest row, has its expiry at once', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    // The app starts retention on unlock, which records the policy in the profile.
    const retention = new RetentionService({ profile: gp.profile, retentionDays: 30 });
    await retention.start();
    retention.stop();
    reception.core.start();
    gp.core.start();
    await reception.sendTo(gp, 'first');
    const second = await reception.sendTo(gp, 'second');
    await eventually(() => gp.texts(reception).length === 2, 'both arrive');
    const rowidOf = (id: string) =>
      gp.profile.db.prepare('SELECT rowid FROM messages WHERE id = ?').pluck().get(id);
    const secondRowid = rowidOf(second.id);

    // The GP is offline while Reception deletes its newest message and sends another: both wait
    // at the relay and reach the GP together.
    await gp.reopen();
    const conversation = reception.profile.repositories.conversations.findDirect(gp.accountId)!;
    await reception.core.deleteForEveryone(conversation.id, [second.id], 'sender');
    const third = await reception.sendTo(gp, 'third');
    await reception.core.whenSent(third.id);
    gp.core.start();
    await eventually(() => gp.texts(reception).join() === 'first,third', 'delete and third');

    // SQLite handed the deleted newest row's rowid to the new message: the case a pass keyed on
    // rowid skipped. No retention service runs on this unlock, and the expiry is there anyway.
    expect(rowidOf(third.id)).toBe(secondRowid);
    const stored = gp.profile.repositories.messages.get(third.id)!;
    expect(stored.expiresAt).toBe(stored.receivedAt! + 30 * day);
  });
});
