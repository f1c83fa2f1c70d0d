import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../../../main/core/app/app-core.js';
import { policySchema } from '../../../../main/core/policy/policy-schema.js';
import { startTestRelay, type TestRelay } from '../../../server/test-relay.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';
import { eventually, fastTuning, quietLogger } from '../messaging/messaging-harness.js';

interface Window {
  core: AppCore;
  events: { channel: string; payload: any }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  call(method: string, request?: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
const windows: Window[] = [];

beforeEach(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-ipc-messaging-');
});
afterEach(async () => {
  for (const w of windows.splice(0)) await w.core.session.lock('user');
  await relay.stop();
  temp.cleanup();
});

function openWindow(name: string, policyJson: object = {}): Window {
  const policy = policySchema.parse(policyJson);
  const store = newStore(`${temp.dir}/${name}`);
  const events: Window['events'] = [];
  const core = createAppCore({
    appInfo: { productName: 'Practice Messenger', version: '0.1.0', platform: 'test' },
    policy: { policy, source: 'defaults', path: null } as never,
    profileStore: store,
    clipboard: { writeText: () => undefined, readText: () => '' },
    pickPath: null,
    sendEvent: (channel, payload) => void events.push({ channel, payload }),
    tuning: fastTuning,
    logger: quietLogger,
  });
  const window: Window = {
    core,
    events,
    async call(method, request = {}) {
      const result = await core.dispatcher.dispatch(method, request);
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value;
    },
  };
  windows.push(window);
  return window;
}

async function enrolledWindow(name: string, role: 'reception' | 'clinician') {
  const w = openWindow(name.toLowerCase().replace(/\W+/g, '-'));
  const issued = await relay.relay.enrol({ displayName: name, role, org: 'Riverside' });
  await w.call('profiles.create', { displayName: name, passcode: PASSCODE });
  expect(await w.call('account.get')).toMatchObject({ enrolled: false, self: null });
  const { self } = await w.call('account.enrol', {
    serverUrl: relay.relay.url,
    enrolmentCode: issued.code,
  });
  expect(self).toMatchObject({ displayName: name, role });
  return { w, self };
}

describe('messaging IPC handlers through createAppCore', () => {
  it('enrols, lists the directory, sends, receives with events, reads, and shows safety numbers', async () => {
    const reception = await enrolledWindow('Reception Desk', 'reception');
    const gp = await enrolledWindow('Dr A Patel', 'clinician');

    const { entries } = await reception.w.call('directory.list', {});
    expect(entries).toEqual([
      { accountId: gp.self.accountId, displayName: 'Dr A Patel', role: 'clinician' },
    ]);

    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    expect(conversation).toMatchObject({ kind: 'direct', title: 'Dr A Patel', unreadCount: 0 });
    const { message } = await reception.w.call('messages.send', {
      conversationId: conversation.id,
      text: 'Mrs S asks for a call back',
      urgent: true,
    });
    expect(message).toMatchObject({ status: 'pending', direction: 'outgoing', urgent: true });

    await eventually(
      () => gp.w.events.some((e) => e.channel.endsWith('message.added')),
      'gp gets message.added',
    );
    const added = gp.w.events.find((e) => e.channel.endsWith('message.added'))!.payload.message;
    expect(added).toMatchObject({
      id: message.id,
      text: 'Mrs S asks for a call back',
      sender: { displayName: 'Reception Desk', role: 'reception' },
      direction: 'incoming',
    });
    const gpList = await gp.w.call('conversations.list', {});
    expect(gpList.conversations[0]).toMatchObject({ unreadCount: 1, hasUrgentUnread: true });
    expect(
      (await gp.w.call('conversations.list', { query: 'call back' })).conversations,
    ).toHaveLength(1);
    expect(
      (await gp.w.call('conversations.list', { query: 'nothing like it' })).conversations,
    ).toHaveLength(0);

    await gp.w.call('messages.markRead', {
      conversationId: added.conversationId,
      upToMessageId: message.id,
    });
    await eventually(
      () =>
        reception.w.events.some(
          (e) => e.channel.endsWith('message.status') && e.payload.status === 'read',
        ),
      'read status event',
    );
    const statuses = reception.w.events
      .filter((e) => e.channel.endsWith('message.status'))
      .map((e) => e.payload.status);
    expect(statuses).toEqual(['sent', 'delivered', 'read']);
    expect(
      reception.w.events.some(
        (e) => e.channel.endsWith('connection.changed') && e.payload.state === 'online',
      ),
    ).toBe(true);

    const page = await reception.w.call('messages.page', {
      conversationId: conversation.id,
      limit: 10,
    });
    expect(page).toMatchObject({
      nextCursor: null,
      messages: [{ id: message.id, status: 'read' }],
    });

    const a = await reception.w.call('safetyNumber.get', { accountId: gp.self.accountId });
    const b = await gp.w.call('safetyNumber.get', { accountId: reception.self.accountId });
    expect(a.digits).toMatch(/^\d{60}$/);
    expect(a.digits).toBe(b.digits);
    expect(a.identityChanged).toBe(false);
    await reception.w.call('identity.acknowledge', { accountId: gp.self.accountId });
  });

  it('stops the core when the profile locks: messages wait at the relay until unlock', async () => {
    const reception = await enrolledWindow('Reception Desk', 'reception');
    const gp = await enrolledWindow('Dr A Patel', 'clinician');
    const gpProfileId = (await gp.w.call('profiles.list')).unlockedProfileId;
    await gp.w.call('profiles.lock');
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const { message } = await reception.w.call('messages.send', {
      conversationId: conversation.id,
      text: 'while you were locked',
    });
    await eventually(
      () =>
        reception.w.events.some(
          (e) => e.channel.endsWith('message.status') && e.payload.status === 'sent',
        ),
      'sent',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(gp.w.events.some((e) => e.channel.endsWith('message.added'))).toBe(false);
    await gp.w.call('profiles.unlock', { profileId: gpProfileId, passcode: PASSCODE });
    await eventually(
      () =>
        gp.w.events.some(
          (e) => e.channel.endsWith('message.added') && e.payload.message.id === message.id,
        ),
      'delivered after unlock',
    );
  });

  it('applies the PID guard in main: confirmation needed under warn, send-anyway audited by kind', async () => {
    const reception = await enrolledWindow('Reception Desk', 'reception');
    const gp = await enrolledWindow('Dr A Patel', 'clinician');
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const text = 'NHS 943.476.5919 needs a repeat, MRN: 12345678';
    await expect(
      reception.w.call('messages.send', { conversationId: conversation.id, text }),
    ).rejects.toMatchObject({
      code: 'policy_restricted',
      message: expect.stringMatching(/Valid NHS number, Hospital number.*Send anyway/),
    });
    const { message } = await reception.w.call('messages.send', {
      conversationId: conversation.id,
      text,
      sendDespitePidWarning: true,
    });
    const profile = reception.w.core.session.current()?.profile;
    if (!profile) throw new Error('the reception profile is locked');
    const audit = profile.repositories.audit.list();
    const events = audit.filter((e) => e.action === 'message.sent_despite_pid');
    expect(events).toEqual([
      expect.objectContaining({
        actorAccountId: reception.self.accountId,
        conversationId: conversation.id,
        messageIds: [message.id],
        details: { pidKinds: 'hospital-number,nhs-number', origin: 'app', pidGuard: 'warn' },
      }),
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/943|12345678|repeat/);
  });

  it('answers with clear errors: not enrolled, groups, blocked PID, relay outside policy', async () => {
    const w = openWindow('solo', { pidGuard: 'block', serverUrl: 'https://relay.example.org' });
    await w.call('profiles.create', { displayName: 'Solo', passcode: PASSCODE });
    await expect(w.call('conversations.list', {})).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      w.call('account.enrol', { serverUrl: relay.relay.url, enrolmentCode: 'AAAA-BBBB' }),
    ).rejects.toMatchObject({ code: 'policy_restricted' });
    expect(await w.call('account.get')).toMatchObject({
      enrolled: false,
      serverUrl: 'https://relay.example.org',
    });
  });
});

describe('unlock shows the conversation list first', () => {
  it("starts retention's catch-up over stored messages only once the first list was answered", async () => {
    const { w, self } = await enrolledWindow('Reception Desk', 'reception');
    const profile = w.core.session.runtime()!.profile;
    const { conversations, messages } = profile.repositories;
    const conversation = conversations.getOrCreateDirect('peer-account', Date.now());
    // Stored without an expiry (as before an upgrade), more than one slice of the catch-up.
    profile.db.transaction(() => {
      for (let i = 0; i < 1_500; i++) {
        messages.insert({
          id: `stored-${i}`,
          conversationId: conversation.id,
          direction: 'outgoing',
          senderAccountId: self.accountId,
          body: `message ${i}`,
          status: 'sent',
          sentAt: Date.now() - 1_000 + i,
          expiresAt: null,
        });
      }
    })();
    const profileId = w.core.session.current()!.summary.id;
    await w.call('profiles.lock');
    await w.call('profiles.unlock', { profileId, passcode: PASSCODE });
    const stored = () => w.core.session.runtime()!.profile.repositories.messages;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stored().get('stored-0')?.expiresAt).toBeNull();
    expect((await w.call('conversations.list')).conversations).toHaveLength(1);
    await eventually(
      () => (stored().get('stored-1499')?.expiresAt ?? null) !== null,
      'the catch-up after the list',
    );
  });
});
