import { describe, expect, it } from 'vitest';
import { MessengerError } from '../../../../shared/errors.js';
import { methods } from '../../../../shared/ipc/contract.js';
import { methodNames } from '../../../../shared/ipc/names.js';
import type { ProfileSummary } from '../../../../shared/ipc/view-schemas.js';
import { createAppCore } from '../../../../main/core/app/app-core.js';
import type {
  ProfileGateway,
  SettingsStore,
  UnlockedProfile,
} from '../../../../main/core/app/profile-gateway.js';
import { messagingMethods } from '../../../../main/core/app/ipc-handlers.js';
import { policySchema } from '../../../../main/core/policy/policy-schema.js';

const passcode = 'secret-passcode';

function memorySettings(): SettingsStore {
  const values = new Map<string, unknown>();
  return {
    get: (key, schema) => (values.has(key) ? schema.parse(values.get(key)) : undefined),
    set: (key, value) => void values.set(key, value),
  };
}

function fakeProfiles() {
  const closed: string[] = [];
  const summaries = new Map<string, ProfileSummary>();
  const settings = new Map<string, SettingsStore>();
  const open = (id: string): UnlockedProfile => ({
    summary: summaries.get(id) as ProfileSummary,
    settings: settings.get(id) as SettingsStore,
    changePasscode: async (current) => {
      if (current !== passcode) throw new MessengerError('invalid_passcode', 'Wrong.');
    },
    close: () => void closed.push(id),
  });
  const gateway: ProfileGateway = {
    list: async () => [...summaries.values()],
    create: async (displayName) => {
      const id = `p${summaries.size + 1}`;
      summaries.set(id, { id, displayName, createdAt: 1, failedAttempts: 0, nextAttemptAt: null });
      settings.set(id, memorySettings());
      return open(id);
    },
    unlock: async (id, given) => {
      if (!summaries.has(id)) throw new MessengerError('profile_not_found', 'No such profile.');
      if (given !== passcode)
        throw new MessengerError('invalid_passcode', 'Wrong.', { failures: 1 });
      await new Promise((r) => setTimeout(r, 5));
      return open(id);
    },
    delete: async (id) => void summaries.delete(id),
  };
  return { gateway, closed };
}

function setUp(policyJson: object = {}) {
  const sent: Array<{ channel: string; payload: unknown }> = [];
  const copied: string[] = [];
  const profiles = fakeProfiles();
  const core = createAppCore({
    appInfo: { productName: 'Practice Messenger', version: '0.1.0', platform: 'linux' },
    policy: { policy: policySchema.parse(policyJson), source: 'system', path: '/etc/x' },
    profiles: profiles.gateway,
    clipboard: { writeText: (text) => void copied.push(text) },
    sendEvent: (channel, payload) => void sent.push({ channel, payload }),
  });
  const call = (method: string, request: unknown = {}) => core.dispatcher.dispatch(method, request);
  return { core, call, sent, copied, closed: profiles.closed };
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
      value: { profile: { id: 'p1', displayName: 'Reception desk' } },
    });
    expect(await call('profiles.list')).toMatchObject({
      ok: true,
      value: { unlockedProfileId: 'p1' },
    });
    expect(await call('settings.get')).toEqual({
      ok: true,
      value: { notificationPrivacy: 'new_message', lockTimeoutMinutes: 5 },
    });
    expect(await call('profiles.lock')).toEqual({ ok: true, value: {} });
    expect(closed).toEqual(['p1']);
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
    const { core, call, closed, sent } = setUp();
    await call('profiles.create', { displayName: 'Reception', passcode });
    await call('profiles.create', { displayName: 'Dr Patel', passcode });
    expect(closed).toEqual(['p1']);
    expect(await call('profiles.unlock', { profileId: 'p1', passcode })).toMatchObject({
      ok: true,
    });
    expect(closed).toEqual(['p1', 'p2']);
    expect(core.session.current()?.summary.id).toBe('p1');
    expect(
      sent.filter((s) => s.channel === 'pm:event:session.locked').map((s) => s.payload),
    ).toEqual([{ reason: 'profile-switch' }, { reason: 'profile-switch' }]);
  });

  it('leaves the app locked when the unlock of another profile fails', async () => {
    const { core, call } = setUp();
    await call('profiles.create', { displayName: 'Reception', passcode });
    const wrong = await call('profiles.unlock', { profileId: 'p1', passcode: 'not-it-at-all' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_passcode' } });
    expect(core.session.isUnlocked()).toBe(false);
  });

  it('serialises racing unlocks: exactly one profile ends up open', async () => {
    const { core, call, closed } = setUp();
    await call('profiles.create', { displayName: 'A', passcode });
    await call('profiles.create', { displayName: 'B', passcode });
    await call('profiles.lock');
    await Promise.all([
      call('profiles.unlock', { profileId: 'p1', passcode }),
      call('profiles.unlock', { profileId: 'p2', passcode }),
    ]);
    expect(core.session.current()?.summary.id).toBe('p2');
    expect(closed).toEqual(['p1', 'p2', 'p1']);
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

  it('answers not_implemented for the messaging methods until the messaging core plugs in', async () => {
    const { call } = setUp();
    await call('profiles.create', { displayName: 'GP', passcode });
    expect(await call('conversations.list', {})).toMatchObject({
      ok: false,
      error: { code: 'not_implemented' },
    });
    expect(messagingMethods.every((m) => methods[m].access === 'unlocked')).toBe(true);
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
