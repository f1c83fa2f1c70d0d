/**
 * messages.deleteForEveryone and conversations.setDisappearingTimer through the real app core,
 * relay and databases: what the renderer may not do (someone else's message, a message of
 * another conversation, a timer the practice does not allow, a group timer by a non-admin) is
 * refused with a clear error, and what it may do reaches the other side.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../../../main/core/app/app-core.js';
import { policySchema } from '../../../../main/core/policy/policy-schema.js';
import { startTestRelay, type TestRelay } from '../../../server/test-relay.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';
import { fastTuning, quietLogger } from '../messaging/messaging-harness.js';

interface Window {
  core: AppCore;
  call(method: string, request?: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
const windows: Window[] = [];

beforeEach(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-ipc-actions-');
});
afterEach(async () => {
  for (const w of windows.splice(0)) await w.core.session.lock('user');
  await relay.stop();
  temp.cleanup();
});

async function enrolled(name: string, policyJson: object = {}) {
  const core = createAppCore({
    appInfo: { productName: 'Practice Messenger', version: '0.1.0', platform: 'test' },
    policy: { policy: policySchema.parse(policyJson), source: 'defaults', path: null } as never,
    profileStore: newStore(`${temp.dir}/${name.toLowerCase().replace(/\W+/g, '-')}`),
    clipboard: { writeText: () => undefined, readText: () => '' },
    pickPath: null,
    sendEvent: () => undefined,
    tuning: fastTuning,
    logger: quietLogger,
  });
  const w: Window = {
    core,
    async call(method, request = {}) {
      const result = await core.dispatcher.dispatch(method, request);
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value;
    },
  };
  windows.push(w);
  const issued = await relay.relay.enrol({
    displayName: name,
    role: 'clinician',
    org: 'Riverside',
  });
  await w.call('profiles.create', { displayName: name, passcode: PASSCODE });
  const { self } = await w.call('account.enrol', {
    serverUrl: relay.relay.url,
    enrolmentCode: issued.code,
  });
  return { w, self };
}

async function page(w: Window, conversationId: string) {
  return (await w.call('messages.page', { conversationId, limit: 50 })).messages as {
    id: string;
    text: string;
    notice?: boolean;
  }[];
}

async function directWith(w: Window, peerId: string): Promise<string> {
  const { conversations } = await w.call('conversations.list', {});
  const found = conversations.find(
    (c: { kind: string; participants: { accountId: string }[] }) =>
      c.kind === 'direct' && c.participants[0]?.accountId === peerId,
  );
  return found?.id;
}

/** `eventually` for checks that ask main (asynchronous). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('conversation action IPC handlers', () => {
  it('deletes only your own message of that conversation, on both sides', async () => {
    const reception = await enrolled('Reception Desk');
    const gp = await enrolled('Dr A Patel');
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const { message } = await reception.w.call('messages.send', {
      conversationId: conversation.id,
      text: 'Wrong patient, sorry',
      urgent: false,
    });
    await until(async () => {
      const id = await directWith(gp.w, reception.self.accountId);
      return id !== undefined && (await page(gp.w, id)).some((m) => m.id === message.id);
    }, 'the GP has the message');
    const gpConversation = await directWith(gp.w, reception.self.accountId);

    // The GP may not delete the receptionist's message for everyone.
    await expect(
      gp.w.call('messages.deleteForEveryone', {
        conversationId: gpConversation,
        messageId: message.id,
      }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/only messages you wrote/),
    });
    // A message id of another conversation, and a conversation that does not exist.
    const { conversation: other } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    expect(other.id).toBe(conversation.id);
    await expect(
      reception.w.call('messages.deleteForEveryone', {
        conversationId: conversation.id,
        messageId: '01J00000000000000000000000',
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      reception.w.call('messages.deleteForEveryone', {
        conversationId: '01J00000000000000000000000',
        messageId: message.id,
      }),
    ).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/conversation/) });
    await expect(
      reception.w.call('messages.deleteForEveryone', { conversationId: conversation.id }),
    ).rejects.toMatchObject({ code: 'invalid_input' });

    await reception.w.call('messages.deleteForEveryone', {
      conversationId: conversation.id,
      messageId: message.id,
    });
    expect((await page(reception.w, conversation.id)).map((m) => m.id)).not.toContain(message.id);
    await until(
      async () => !(await page(gp.w, gpConversation)).some((m) => m.id === message.id),
      'deleted on the GP side',
    );
  });

  it('sets a direct timer within the retention policy, with a notice on both sides', async () => {
    const reception = await enrolled('Reception Desk', { retentionDays: 7 });
    const gp = await enrolled('Dr A Patel', { retentionDays: 7 });
    // The GP's app has the practice directory, as it does from its first start.
    await gp.w.call('directory.list', {});
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    await expect(
      reception.w.call('conversations.setDisappearingTimer', {
        conversationId: conversation.id,
        seconds: 28 * 86_400,
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/7 days/) });
    await expect(
      reception.w.call('conversations.setDisappearingTimer', {
        conversationId: conversation.id,
        seconds: 5,
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/one of 0/) });
    await expect(
      reception.w.call('conversations.setDisappearingTimer', {
        conversationId: conversation.id,
        seconds: -1,
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });

    expect(
      await reception.w.call('conversations.setDisappearingTimer', {
        conversationId: conversation.id,
        seconds: 86_400,
      }),
    ).toEqual({ disappearingSeconds: 86_400 });
    const own = await page(reception.w, conversation.id);
    expect(own.filter((m) => m.notice).map((m) => m.text)).toEqual([
      'You set messages to disappear 1 day after they are sent.',
    ]);
    const listed = (await reception.w.call('conversations.list', {})).conversations[0];
    expect(listed.disappearingSeconds).toBe(86_400);

    await until(async () => {
      const id = await directWith(gp.w, reception.self.accountId);
      if (!id) return false;
      const texts = (await page(gp.w, id)).filter((m) => m.notice).map((m) => m.text);
      return texts.includes('Reception Desk set messages to disappear 1 day after they are sent.');
    }, 'the GP sees the notice');
    const gpListed = (await gp.w.call('conversations.list', {})).conversations[0];
    expect(gpListed.disappearingSeconds).toBe(86_400);

    // Setting the same timer again adds no second notice; turning it off does.
    await reception.w.call('conversations.setDisappearingTimer', {
      conversationId: conversation.id,
      seconds: 86_400,
    });
    await reception.w.call('conversations.setDisappearingTimer', {
      conversationId: conversation.id,
      seconds: 0,
    });
    expect(
      (await page(reception.w, conversation.id)).filter((m) => m.notice).map((m) => m.text),
    ).toEqual([
      'You set messages to disappear 1 day after they are sent.',
      'You turned off disappearing messages.',
    ]);
  });

  it('lets only a group admin set the group timer', async () => {
    const admin = await enrolled('Dr A Patel');
    const member = await enrolled('Nurse B Jones');
    const other = await enrolled('Reception Desk');
    const { conversation } = await admin.w.call('conversations.create', {
      participantIds: [member.self.accountId, other.self.accountId],
      title: 'Duty team',
    });
    expect(conversation.kind).toBe('group');
    await until(async () => {
      const { conversations } = await member.w.call('conversations.list', {});
      return conversations.some((c: { id: string }) => c.id === conversation.id);
    }, 'the member has the group');
    await expect(
      member.w.call('conversations.setDisappearingTimer', {
        conversationId: conversation.id,
        seconds: 3600,
      }),
    ).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/admins/) });
    expect(
      await admin.w.call('conversations.setDisappearingTimer', {
        conversationId: conversation.id,
        seconds: 3600,
      }),
    ).toEqual({ disappearingSeconds: 3600 });
    await until(async () => {
      const { conversations } = await member.w.call('conversations.list', {});
      return conversations.some(
        (c: { id: string; disappearingSeconds?: number }) =>
          c.id === conversation.id && c.disappearingSeconds === 3600,
      );
    }, 'the member has the timer');
  });
});
