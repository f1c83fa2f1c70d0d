import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageSearch, indexNextSlice } from '../../../../../main/core/db/message-search.js';
import { MessagingQueries } from '../../../../../main/core/messaging/messaging-queries.js';
import { deletionScope } from '../../../../../main/core/transcription/deletion-scope.js';
import { ownStaffIdentity } from '../../../../../main/core/transcription/staff-directory.js';
import { buildTranscriptionDraft } from '../../../../../main/core/transcription/transcription-draft.js';
import { createWorld, eventually, type Staff, type World } from '../messaging-harness.js';

// What 1:1 conversations have, in groups: rename, a disappearing timer, delete for everyone,
// transcription, urgent and reply, search. Real relay, real libsignal, a GP on two PCs.

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const all = (member: Staff, groupId: string) =>
  member.profile.repositories.messages.pageAfter(groupId, null, 10_000);
const find = (member: Staff, groupId: string, text: string) =>
  all(member, groupId).find((m) => m.body === text);
const notices = (member: Staff, groupId: string) =>
  all(member, groupId)
    .filter((m) => m.kind === 'notice')
    .map((m) => m.body);

async function practiceGroup() {
  const lead = await world.enrol('Dr L Lead');
  const gp1 = await world.enrol('Dr A Patel');
  const issued = await world.relay.relay.enrol({ accountId: gp1.accountId });
  const gp2 = await world.enrolWithCode('Room 7 PC', issued.code, 'Room 7 PC');
  const desk = await world.enrol('Reception Desk', 'reception');
  const devices = [lead, gp1, gp2, desk];
  for (const device of devices) device.core.start();
  await eventually(
    () => devices.every((d) => d.core.connectionState === 'online'),
    'every device online',
  );
  for (const device of devices) await device.core.refreshDirectory();
  const group = await lead.core.groups.create('Partners', [gp1.accountId, desk.accountId]);
  await eventually(
    () => devices.every((d) => d.core.groups.list().some((g) => g.groupId === group.groupId)),
    'every device learns the group',
  );
  return { lead, gp1, gp2, desk, devices, groupId: group.groupId };
}

describe('everything 1:1 has, in groups', () => {
  it('admins rename the group and set its timer, with a notice on every device; others may not', async () => {
    const { lead, gp1, gp2, desk, devices, groupId } = await practiceGroup();

    await expect(desk.core.groups.rename(groupId, 'Desk rules')).rejects.toMatchObject({
      code: 'forbidden',
    });
    const renamed = await lead.core.groups.rename(groupId, 'Partners and desk');
    expect(renamed.name).toBe('Partners and desk');
    await eventually(
      () => devices.every((d) => d.core.groups.get(groupId).name === 'Partners and desk'),
      'the new name reaches every device',
    );
    for (const device of [gp1, gp2, desk]) {
      expect(device.profile.repositories.conversations.get(groupId)?.title).toBe(
        'Partners and desk',
      );
      expect(notices(device, groupId)).toContain(
        'Dr L Lead renamed the group "Partners and desk".',
      );
    }

    await expect(desk.core.setDisappearingTimer(groupId, 3600)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await lead.core.setDisappearingTimer(groupId, 3600);
    await eventually(
      () =>
        devices.every(
          (d) => d.profile.repositories.conversations.get(groupId)?.disappearingSeconds === 3600,
        ),
      'the timer reaches every device, the GP’s second PC too',
    );
    expect(desk.core.groups.get(groupId).disappearingSeconds).toBe(3600);
    expect(notices(gp2, groupId)).toContain(
      'Dr L Lead set messages to disappear 1 hour after they are sent.',
    );
    const sent = await desk.core.sendText(groupId, 'short-lived');
    expect(sent.expiresAt).toBe(sent.sentAt + 3600_000);
    await eventually(() => find(gp2, groupId, 'short-lived') !== undefined, 'PC 2 gets it');
    expect(find(gp2, groupId, 'short-lived')!.expiresAt).not.toBeNull();

    await lead.core.setDisappearingTimer(groupId, 0);
    await eventually(
      () =>
        devices.every(
          (d) => d.profile.repositories.conversations.get(groupId)?.disappearingSeconds === null,
        ),
      'the timer goes off everywhere',
    );
    expect(notices(desk, groupId)).toContain('Dr L Lead turned off disappearing messages.');
  });

  it('the sender deletes their message for everyone, on every device of every member; not someone else’s', async () => {
    const { lead, gp1, gp2, desk, devices, groupId } = await practiceGroup();
    const mine = await gp1.core.sendText(groupId, 'wrong patient, ignore');
    const other = await desk.core.sendText(groupId, 'Mrs C is here');
    await eventually(
      () =>
        devices.every(
          (d) =>
            find(d, groupId, 'wrong patient, ignore') !== undefined &&
            find(d, groupId, 'Mrs C is here') !== undefined,
        ),
      'both messages everywhere',
    );
    await expect(gp1.core.deleteForEveryone(groupId, [other.id], 'sender')).rejects.toMatchObject({
      code: 'forbidden',
    });
    await gp1.core.deleteForEveryone(groupId, [mine.id], 'sender');
    await eventually(
      () => devices.every((d) => find(d, groupId, 'wrong patient, ignore') === undefined),
      'deleted on every device, the GP’s other PC too',
    );
    for (const device of [lead, gp2, desk]) {
      expect(device.profile.repositories.messages.wasDeleted(mine.id)).toBe(true);
      expect(find(device, groupId, 'Mrs C is here')).toBeDefined();
    }
  });

  it('a clinician transcribes a group exchange: the advice-giver is the clinician who wrote it, and the originals go everywhere', async () => {
    const { lead, gp1, gp2, desk, devices, groupId } = await practiceGroup();
    const question = await desk.core.sendText(groupId, 'Mr B asks if he can take ibuprofen', {
      urgent: true,
    });
    await eventually(() => find(gp1, groupId, question.body) !== undefined, 'GP gets it');
    const incoming = find(gp1, groupId, question.body)!;
    expect(incoming.urgent).toBe(true);
    const answer = await gp1.core.sendText(groupId, 'Yes, with food, max 3 days', {
      replyTo: question.id,
    });
    await eventually(
      () => devices.every((d) => find(d, groupId, answer.body) !== undefined),
      'the answer everywhere',
    );
    expect(new MessagingQueries(lead.profile.db).replyTo(answer.id)).toBe(question.id);

    const draft = buildTranscriptionDraft(
      gp2.profile.repositories,
      { conversationId: groupId, messageIds: [question.id, answer.id] },
      Date.now(),
    );
    expect(draft.adviceGivenBy?.accountId).toBe(gp1.accountId);
    expect(draft.askedBy?.accountId).toBe(desk.accountId);
    expect(draft.urgent).toBe(true);

    // The confirmation names every device of every other member it deletes from.
    const scope = deletionScope(
      gp2.profile,
      ownStaffIdentity(gp2.profile.repositories),
      null,
      [question, answer].map((m) => gp2.profile.repositories.messages.get(m.id)!),
      { name: 'Partners', members: gp2.profile.repositories.conversations.members(groupId) },
    );
    expect(scope).toMatchObject({
      messages: 2,
      fromOthers: 1,
      peerName: 'the 2 other members of Partners',
    });
    expect(scope.peerDevices).toBeGreaterThanOrEqual(2);
    const transcribedAt = Date.now();
    await gp2.core.sendTranscribedNotice(groupId, {
      messageIds: [question.id, answer.id],
      transcribedBy: gp2.accountId,
      transcribedAt,
    });
    await gp2.core.deleteForEveryone(groupId, [question.id, answer.id], 'transcribed');
    await eventually(
      () =>
        devices.every(
          (d) =>
            find(d, groupId, question.body) === undefined &&
            find(d, groupId, answer.body) === undefined,
        ),
      'the originals go on every device',
    );
    for (const device of devices) {
      expect(
        notices(device, groupId).some((n) => n.includes('transcribed into the record by')),
      ).toBe(true);
    }
  });

  it('a file in a group reaches every device of every member, the sender’s other PC too', async () => {
    const { lead, gp1, gp2, desk, groupId } = await practiceGroup();
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(700_000)]);
    const sent = await gp1.core.attachments.send(groupId, {
      bytes,
      name: 'discharge-letter.pdf',
      caption: 'Letter for Mr B',
      maxBytes: 25 * 1_048_576,
    });
    expect((await gp1.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');
    expect((await gp1.core.whenSent(sent.id)).status).not.toBe('failed');
    for (const device of [lead, desk, gp2]) {
      await eventually(
        () => device.profile.repositories.attachments.get(sent.id) !== null,
        `${device.name} gets the message`,
      );
      expect((await device.core.attachments.whenSettled(sent.id)).state).toBe('ready');
      const { record, bytes: got } = device.core.attachments.read(sent.id);
      expect(got.equals(bytes)).toBe(true);
      expect(record.fileName).toBe('discharge-letter.pdf');
      expect(device.profile.repositories.messages.get(sent.id)?.body).toBe('Letter for Mr B');
    }
    expect(gp2.profile.repositories.messages.get(sent.id)?.direction).toBe('outgoing');
    expect(desk.profile.repositories.messages.get(sent.id)?.direction).toBe('incoming');
    // Someone who left cannot send a file to the group.
    await desk.core.groups.leave(groupId);
    await expect(
      desk.core.attachments.send(groupId, {
        bytes,
        name: 'x.pdf',
        maxBytes: 25 * 1_048_576,
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('search finds group messages', async () => {
    const { desk, gp2, groupId } = await practiceGroup();
    await desk.core.sendText(groupId, 'Flu clinic moved to Thursday');
    await eventually(
      () => find(gp2, groupId, 'Flu clinic moved to Thursday') !== undefined,
      'PC 2',
    );
    // The search index as the app builds it in the background.
    gp2.profile.db.transaction(() => indexNextSlice(gp2.profile.db, 10_000))();
    const hits = new MessageSearch(gp2.profile.db).search('flu thursday');
    expect(hits.get(groupId)?.messageId).toBe(
      find(gp2, groupId, 'Flu clinic moved to Thursday')!.id,
    );
  });
});
