// The app core (createAppCore: one profile runtime per unlocked profile) against a real relay: what a
// peer's transcribed notice and delete do on this device, failure reasons and unknown senders in
// the views, and remote wipe erasing the profile.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../../../main/core/app/app-core.js';
import { KeytarKeychain } from '../../../../main/core/keychain/keytar-keychain.js';
import type { MessagingCore } from '../../../../main/core/messaging/messaging-core.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import { policySchema } from '../../../../main/core/policy/policy-schema.js';
import { startTestRelay, type TestRelay } from '../../../server/test-relay.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';
import { eventually, fastTuning, quietLogger } from '../messaging/messaging-harness.js';

interface Window {
  core: AppCore;
  root: string;
  clock: FakeClock;
  events: { name: string; payload: any }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  call(method: string, request?: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  profile(): OpenProfile;
  messaging(): MessagingCore;
  named(name: string): any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
const windows: Window[] = [];

beforeEach(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-app-events-');
});
afterEach(async () => {
  for (const w of windows.splice(0)) await w.core.session.lock('user');
  await relay.stop();
  temp.cleanup();
});

function openWindow(name: string): Window {
  const policy = policySchema.parse({});
  const root = path.join(temp.dir, name);
  const store = newStore(root);
  const events: Window['events'] = [];
  const clock = new FakeClock(Date.now());
  const core = createAppCore({
    appInfo: { productName: 'Practice Messenger', version: '0.1.0', platform: 'test' },
    policy: { policy, source: 'defaults', path: null } as never,
    profileStore: store,
    clipboard: { writeText: () => undefined, readText: () => '' },
    pickPath: null,
    sendEvent: (channel, payload) =>
      void events.push({ name: channel.replace(/^pm:event:/, ''), payload }),
    clock,
    tuning: fastTuning,
    logger: quietLogger,
  });
  const window: Window = {
    core,
    root,
    clock,
    events,
    async call(method, request = {}) {
      const result = await core.dispatcher.dispatch(method, request);
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value;
    },
    profile: () => core.session.current()!.profile!,
    messaging: () => core.session.runtime()!.messaging()!,
    named: (wanted) => events.filter((e) => e.name === wanted).map((e) => e.payload),
  };
  windows.push(window);
  return window;
}

async function enrolled(name: string, role: 'reception' | 'clinician') {
  const w = openWindow(name.toLowerCase().replace(/\W+/g, '-'));
  const issued = await relay.relay.enrol({ displayName: name, role, org: 'Riverside' });
  await w.call('profiles.create', { displayName: name, passcode: PASSCODE });
  const { self } = await w.call('account.enrol', {
    serverUrl: relay.relay.url,
    enrolmentCode: issued.code,
  });
  return { w, self: self as { accountId: string } };
}

/** Reception asks, the GP answers: both messages on both devices. */
async function exchange() {
  const reception = await enrolled('Reception Desk', 'reception');
  const gp = await enrolled('Dr A Patel', 'clinician');
  const { conversation } = await reception.w.call('conversations.create', {
    participantIds: [gp.self.accountId],
  });
  const { message: question } = await reception.w.call('messages.send', {
    conversationId: conversation.id,
    text: 'Can Mr B have amoxicillin?',
  });
  await eventually(() => gp.w.named('message.added').length === 1, 'question arrives');
  const gpConversationId = gp.w.named('message.added')[0].message.conversationId as string;
  const { message: answer } = await gp.w.call('messages.send', {
    conversationId: gpConversationId,
    text: 'Yes, 500 mg three times a day',
  });
  await eventually(
    () => reception.w.named('message.added').some((e) => e.message.id === answer.id),
    'answer arrives',
  );
  return {
    reception,
    gp,
    conversationId: conversation.id as string,
    gpConversationId,
    ids: [question.id as string, answer.id as string],
  };
}

describe('the app core applies what peers send and what the relay orders', () => {
  it("a peer's transcribed notice schedules the deletion here, which happens with the transcriber's device off", async () => {
    const { reception, gp, conversationId, gpConversationId, ids } = await exchange();
    const [questionId, answerId] = ids as [string, string];
    const deleteAt = reception.w.clock.now() + 3_600_000;
    // An earlier expiry (e.g. a disappearing timer) must not be postponed by the notice.
    const earlier = reception.w.clock.now() + 600_000;
    reception.w.profile().repositories.messages.setExpiry([questionId], earlier);

    await gp.w.messaging().sendTranscribedNotice(gpConversationId, {
      messageIds: ids,
      transcribedBy: gp.self.accountId,
      transcribedAt: 1_800_000_000_000,
      deleteAt,
    });
    await eventually(
      () => reception.w.named('message.updated').length === 2,
      'message.updated events',
    );
    const updated = reception.w.named('message.updated').map((e) => e.message);
    expect(updated.map((m) => m.id).sort()).toEqual([...ids].sort());
    for (const view of updated) {
      expect(view.transcribed).toMatchObject({ byName: 'Dr A Patel', at: 1_800_000_000_000 });
    }
    const messages = reception.w.profile().repositories.messages;
    expect(messages.get(questionId)).toMatchObject({
      expiresAt: earlier,
      transcribedBy: gp.self.accountId,
    });
    expect(messages.get(answerId)).toMatchObject({ expiresAt: deleteAt });

    // The transcriber's device is off; this one deletes on its own at the times it was given.
    await gp.w.core.session.lock('user');
    reception.w.clock.advance(600_000);
    await eventually(() => messages.get(questionId) === null, 'earlier expiry deleted');
    expect(messages.get(answerId)).not.toBeNull();
    reception.w.clock.advance(3_000_000);
    await eventually(() => messages.get(answerId) === null, 'deleted at deleteAt');
    expect(messages.wasDeleted(answerId)).toBe(true);
    const deleted = reception.w.named('messages.deleted');
    expect(deleted.flatMap((d) => d.messageIds).sort()).toEqual([...ids].sort());
    // Both were transcribed, so that is why they went (an empty conversation says so), even
    // the one whose own earlier expiry came first.
    expect(
      deleted.every((d) => d.conversationId === conversationId && d.reason === 'transcribed'),
    ).toBe(true);
  });

  it('confirming a transcription tells the renderer of the deletion once', async () => {
    const { gp, gpConversationId, ids } = await exchange();
    const draft = await gp.w.call('transcription.draft', {
      conversationId: gpConversationId,
      messageIds: ids,
    });
    const confirmed = await gp.w.call('transcription.confirm', {
      form: {
        conversationId: draft.conversationId,
        messageIds: draft.messageIds,
        patient: { nhsNumber: '999 000 0018' },
        advice: draft.advice,
        actions: [],
        adviceGivenBy: draft.adviceGivenBy,
        askedBy: draft.askedBy,
        deleteOriginals: { when: 'now' },
      },
      enteredAnotherWay: true,
    });
    expect(confirmed).toMatchObject({ originals: 'now' });
    // The deletion goes out when the undo window ends.
    expect(gp.w.named('messages.deleted')).toEqual([]);
    gp.w.clock.advance(10_000);
    await eventually(() => gp.w.named('messages.deleted').length > 0, 'deletion after the window');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gp.w.named('messages.deleted')).toEqual([
      { conversationId: gpConversationId, messageIds: ids, reason: 'transcribed' },
    ]);
  });

  it("a peer's delete-for-everyone removes the messages here and tells the renderer", async () => {
    const { reception, gp, conversationId, gpConversationId, ids } = await exchange();
    await gp.w.messaging().deleteForEveryone(gpConversationId, ids, 'transcribed');
    expect(gp.w.named('messages.deleted')).toEqual([
      { conversationId: gpConversationId, messageIds: ids, reason: 'transcribed' },
    ]);
    await eventually(() => reception.w.named('messages.deleted').length === 1, 'deleted event');
    expect(reception.w.named('messages.deleted')[0]).toEqual({
      conversationId,
      messageIds: ids,
      reason: 'transcribed',
    });
    const messages = reception.w.profile().repositories.messages;
    expect(ids.map((id) => messages.get(id))).toEqual([null, null]);
    expect(ids.every((id) => messages.wasDeleted(id))).toBe(true);
    // Only the marker stands in their place.
    const page = await reception.w.call('messages.page', { conversationId, limit: 10 });
    expect(page.messages.map((m: { text: string }) => m.text)).toEqual([
      expect.stringMatching(/^2 messages transcribed into the record by /),
    ]);
  });

  it('a failed message carries a reason the sender can act on, in the view and the event', async () => {
    const { reception, gp, conversationId } = await exchange();
    await relay.relay.revoke(gp.self.accountId, { wipe: false });
    const { message } = await reception.w.call('messages.send', {
      conversationId,
      text: 'Are you still there?',
    });
    await eventually(
      () =>
        reception.w
          .named('message.status')
          .some((e) => e.messageId === message.id && e.status === 'failed'),
      'failed status',
    );
    const event = reception.w
      .named('message.status')
      .find((e) => e.messageId === message.id && e.status === 'failed');
    expect(event.failureReason).toMatch(/no longer in the practice directory/);
    const page = await reception.w.call('messages.page', { conversationId, limit: 10 });
    const view = page.messages.find((m: { id: string }) => m.id === message.id);
    expect(view).toMatchObject({ status: 'failed', failureReason: event.failureReason });
    const others = page.messages.filter((m: { id: string }) => m.id !== message.id);
    expect(others.map((m: { failureReason: unknown }) => m.failureReason)).toEqual([null, null]);
  });

  it('a sender missing from the directory is shown as unknown, then looked up', async () => {
    const { reception, gp, conversationId } = await exchange();
    const contacts = reception.w.profile().repositories.contacts;
    // As if the message arrived before the directory knew them (no repository call forgets one).
    reception.w
      .profile()
      .db.prepare('DELETE FROM contacts WHERE account_id = ?')
      .run(gp.self.accountId);
    const before = reception.w.named('conversation.updated').length;
    const page = await reception.w.call('messages.page', { conversationId, limit: 10 });
    const incoming = page.messages.find((m: { direction: string }) => m.direction === 'incoming');
    expect(incoming.sender).toEqual({
      accountId: gp.self.accountId,
      displayName: 'Not in the directory yet',
      role: 'unknown',
    });
    // The placeholder asked the relay: the conversation is announced again with name and role.
    await eventually(
      () =>
        reception.w
          .named('conversation.updated')
          .slice(before)
          .some((e) => e.conversation.title === 'Dr A Patel'),
      'conversation announced with the looked-up name',
    );
    expect(contacts.get(gp.self.accountId)).toMatchObject({ role: 'clinician' });
    const again = await reception.w.call('messages.page', { conversationId, limit: 10 });
    expect(
      again.messages.find((m: { direction: string }) => m.direction === 'incoming').sender,
    ).toEqual({ accountId: gp.self.accountId, displayName: 'Dr A Patel', role: 'clinician' });
  });

  it('remote wipe erases the profile (files and keychain entry), locks, and says why', async () => {
    const gp = await enrolled('Dr A Patel', 'clinician');
    const profileId = gp.w.profile().id;
    const keychain = new KeytarKeychain();
    expect(await keychain.getSecret(profileId)).not.toBeNull();
    expect(existsSync(path.join(gp.w.root, profileId))).toBe(true);
    await eventually(
      () => gp.w.named('connection.changed').some((e) => e.state === 'online'),
      'online',
    );

    await relay.relay.revoke(gp.self.accountId, { wipe: true });

    await eventually(() => gp.w.named('session.locked').length === 1, 'locked');
    expect(gp.w.named('account.stopped')).toEqual([
      { reason: 'wiped', message: expect.stringMatching(/remote wipe/) },
    ]);
    await eventually(() => !existsSync(path.join(gp.w.root, profileId)), 'profile folder gone');
    await eventually(() => gp.w.named('session.locked').length === 1, 'locked once');
    expect(await keychain.getSecret(profileId)).toBeNull();
    expect((await gp.w.call('profiles.list')).profiles).toEqual([]);
  });
});
