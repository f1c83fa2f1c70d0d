import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { methods } from '../../../../shared/ipc/contract.js';
import { methodNames } from '../../../../shared/ipc/names.js';
import { createAppCore, type AppCore } from '../../../../main/core/app/app-core.js';
import { messagingMethods } from '../../../../main/core/app/ipc-handlers.js';
import { policySchema } from '../../../../main/core/policy/policy-schema.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import { makeTempDir, newStore } from '../helpers/temp-profiles.js';

const passcode = 'secret-passcode';
const cores: AppCore[] = [];
const temps: Array<{ cleanup(): void }> = [];

afterEach(async () => {
  for (const core of cores.splice(0)) await core.session.lock('user');
  for (const temp of temps.splice(0)) temp.cleanup();
});

/** The app core on a real profile store (SQLCipher files, the OS keychain) in a temp folder. */
function setUp(policyJson: object = {}) {
  const sent: Array<{ channel: string; payload: unknown }> = [];
  const copied: string[] = [];
  const temp = makeTempDir('pmsg-app-core-');
  temps.push(temp);
  const core = createAppCore({
    appInfo: { productName: 'Practice Messenger', version: '0.1.0', platform: 'linux' },
    policy: { policy: policySchema.parse(policyJson), source: 'system', path: '/etc/x' },
    profileStore: newStore(temp.dir),
    clipboard: { writeText: (text) => void copied.push(text), readText: () => copied.at(-1) ?? '' },
    pickPath: null,
    sendEvent: (channel, payload) => void sent.push({ channel, payload }),
  });
  cores.push(core);
  // Which profiles closed, in order (each unlock opens a fresh OpenProfile).
  const closed: string[] = [];
  core.observe((event) => {
    if (event !== 'session.unlocked') return;
    const profile = core.session.current()?.profile as OpenProfile;
    profile.onClose(() => closed.push(profile.id));
  });
  const call = (method: string, request: unknown = {}) => core.dispatcher.dispatch(method, request);
  /** Creates a profile (unlocked) and returns its id. */
  const create = async (displayName: string): Promise<string> => {
    const result = await call('profiles.create', { displayName, passcode });
    if (!result.ok) throw new Error(result.error.message);
    return (result.value as { profile: { id: string } }).profile.id;
  };
  return { core, call, create, sent, copied, closed };
}

describe('the app core behind window.messenger', () => {
  it('answers app info and policy while locked', async () => {
    const { call } = setUp({ pidGuard: 'block', serverCertificateSha256: 'ab'.repeat(32) });
    expect(await call('app.info')).toEqual({
      ok: true,
      value: {
        productName: 'Practice Messenger',
        version: '0.1.0',
        licence: 'AGPL-3.0-only',
        platform: 'linux',
      },
    });
    const policy = await call('policy.get');
    expect(policy).toMatchObject({ ok: true, value: { pidGuard: 'block', source: 'system' } });
    expect(JSON.stringify(policy)).not.toContain('abab');
  });

  it('refuses everything but unlock and the profile picker while locked', async () => {
    const { call } = setUp();
    for (const method of methodNames.filter((m) => methods[m].access === 'unlocked')) {
      expect(await call(method, {}), method).toMatchObject({
        ok: false,
        error: { code: 'profile_locked' },
      });
    }
  });

  it('creates a profile unlocked, then locks on demand and says so', async () => {
    const { call, sent, closed } = setUp();
    const created = await call('profiles.create', { displayName: 'Reception desk', passcode });
    expect(created).toMatchObject({
      ok: true,
      value: { profile: { displayName: 'Reception desk' } },
    });
    const p1 = (created as { value: { profile: { id: string } } }).value.profile.id;
    expect(await call('profiles.list')).toMatchObject({
      ok: true,
      value: { unlockedProfileId: p1 },
    });
    expect(await call('settings.get')).toEqual({
      ok: true,
      value: { notificationPrivacy: 'new_message', lockTimeoutMinutes: 5 },
    });
    expect(await call('profiles.lock')).toEqual({ ok: true, value: {} });
    expect(closed).toEqual([p1]);
    expect(sent.map((s) => s.channel)).toEqual([
      'pm:event:session.unlocked',
      'pm:event:session.locked',
    ]);
    expect(sent[1]?.payload).toEqual({ reason: 'user' });
    expect(await call('settings.get')).toMatchObject({
      ok: false,
      error: { code: 'profile_locked' },
    });
  });

  it('keeps one profile unlocked at a time: switching closes the previous one', async () => {
    const { core, call, create, closed, sent } = setUp();
    const p1 = await create('Reception');
    const p2 = await create('Dr Patel');
    expect(closed).toEqual([p1]);
    expect(await call('profiles.unlock', { profileId: p1, passcode })).toMatchObject({
      ok: true,
    });
    expect(closed).toEqual([p1, p2]);
    expect(core.session.current()?.summary.id).toBe(p1);
    expect(
      sent.filter((s) => s.channel === 'pm:event:session.locked').map((s) => s.payload),
    ).toEqual([{ reason: 'profile-switch' }, { reason: 'profile-switch' }]);
  });

  it('leaves the app locked when the unlock of another profile fails', async () => {
    const { core, call, create } = setUp();
    const p1 = await create('Reception');
    const wrong = await call('profiles.unlock', { profileId: p1, passcode: 'not-it-at-all' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_passcode' } });
    expect(core.session.isUnlocked()).toBe(false);
  });

  it('serialises racing unlocks: exactly one profile ends up open', async () => {
    const { core, call, create, closed } = setUp();
    const p1 = await create('A');
    const p2 = await create('B');
    await call('profiles.lock');
    await Promise.all([
      call('profiles.unlock', { profileId: p1, passcode }),
      call('profiles.unlock', { profileId: p2, passcode }),
    ]);
    expect(core.session.current()?.summary.id).toBe(p2);
    expect(closed).toEqual([p1, p2, p1]);
  });

  it('bounds settings by the policy: more private and sooner only', async () => {
    const { call, sent } = setUp({ notificationPrivacy: 'sender', lockTimeoutMinutes: 10 });
    await call('profiles.create', { displayName: 'GP', passcode });
    expect(await call('settings.set', { lockTimeoutMinutes: 15 })).toMatchObject({
      ok: false,
      error: { code: 'policy_restricted' },
    });
    expect(await call('settings.set', { notificationPrivacy: 'sender_and_text' })).toMatchObject({
      ok: false,
      error: { code: 'policy_restricted' },
    });
    expect(
      await call('settings.set', { notificationPrivacy: 'off', lockTimeoutMinutes: 2 }),
    ).toEqual({
      ok: true,
      value: { notificationPrivacy: 'off', lockTimeoutMinutes: 2 },
    });
    expect(sent.at(-1)).toEqual({
      channel: 'pm:event:settings.changed',
      payload: { notificationPrivacy: 'off', lockTimeoutMinutes: 2 },
    });
  });

  it('answers the messaging methods of a profile not enrolled yet with "enrol it first"', async () => {
    const { call } = setUp();
    await call('profiles.create', { displayName: 'GP', passcode });
    expect(await call('account.get')).toMatchObject({ ok: true, value: { enrolled: false } });
    expect(await call('conversations.list', {})).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: expect.stringMatching(/Enrol it first/) },
    });
    expect(messagingMethods.every((m) => methods[m].access === 'unlocked')).toBe(true);
  });

  it('runs one profile runtime per unlocked profile, disposed of before its database closes', async () => {
    const { core, call, create } = setUp({ retentionDays: 30 });
    await create('Reception');
    const first = core.session.runtime();
    expect(first?.profile).toBe(core.session.current()?.profile);
    // Retention runs for the unlocked profile (its catch-up records the policy it ran under).
    await new Promise((resolve) => setTimeout(resolve, 20));
    const repositories = first!.profile.repositories;
    expect(repositories.settings.get('retention.policyDays', z.number())).toBe(30);
    const conversation = repositories.conversations.getOrCreateDirect('peer', Date.now());
    const expiresAt = Date.now() + 3_600_000;
    repositories.messages.insert({
      id: 'm1',
      conversationId: conversation.id,
      direction: 'incoming',
      senderAccountId: 'peer',
      body: 'hello',
      status: 'delivered',
      sentAt: Date.now(),
      expiresAt,
    });
    first!.retention.reschedule();
    expect(first!.retention.armedFor()).toBe(expiresAt);
    await create('Dr Patel');
    const second = core.session.runtime();
    expect(second).not.toBe(first);
    expect(first?.profile.closed).toBe(true);
    expect(first?.retention.armedFor()).toBeNull();
    await call('profiles.lock');
    expect(core.session.runtime()).toBeNull();
    expect(second?.profile.closed).toBe(true);
  });

  it('writes the clipboard from main, and changes the passcode of the unlocked profile', async () => {
    const { call, copied } = setUp();
    await call('profiles.create', { displayName: 'GP', passcode });
    expect(await call('clipboard.writeText', { text: 'Advice: increase dose' })).toEqual({
      ok: true,
      value: {},
    });
    expect(copied).toEqual(['Advice: increase dose']);
    expect(
      await call('profiles.changePasscode', {
        currentPasscode: 'wrong-one',
        newPasscode: 'new-passcode',
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_passcode' } });
  });
});
