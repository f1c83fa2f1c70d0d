import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { validateFhirCommunication as validateFhir } from '../helpers/fhir-schema.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clinicalMethods } from '../../../../main/core/app/ipc-handlers.js';
import { createAppCore, type AppCore } from '../../../../main/core/app/app-core.js';
import { createClinicalHandlers } from '../../../../main/core/app/clinical-handlers.js';
import { profileStoreGateway } from '../../../../main/core/app/profile-store-gateway.js';
import { policySchema } from '../../../../main/core/policy/policy-schema.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import type { OriginalsDeleter } from '../../../../main/core/transcription/originals-deleter.js';
import { registerOriginalsDeleter } from '../../../../main/core/transcription/originals-deleter-registry.js';
import { eventChannel } from '../../../../shared/ipc/names.js';
import { GP, RECEPTION, enrolledProfile, storeMessage } from '../helpers/clinical-profile.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

const day = 24 * 60 * 60 * 1000;
const t0 = Date.UTC(2025, 2, 3, 9, 0);

let temp: ReturnType<typeof makeTempDir>;
let store: ProfileStore;
let clock: FakeClock;
let core: AppCore;
let sent: Array<{ channel: string; payload: unknown }>;
let clipboardText: string;
let deletes: string[][];
let profileId: string;
let ids: { question: string; answer: string; conversationId: string };
let makeDeleter: (profile: OpenProfile) => OriginalsDeleter;

function setUp(policyJson: object, pickerDir: string | null, useRegistry = false) {
  sent = [];
  clipboardText = '';
  deletes = [];
  const policy = policySchema.parse(policyJson);
  const deleter = (makeDeleter = (profile: OpenProfile): OriginalsDeleter => ({
    deleteForEveryone: async (_conversationId, messageIds) => {
      deletes.push([...messageIds]);
      profile.repositories.messages.delete(messageIds, clock.now(), 'transcribed');
    },
    sendTranscribedNotice: async () => undefined,
  }));
  core = createAppCore({
    appInfo: { productName: 'Practice Messenger', version: '0', platform: 'linux' },
    policy: { policy, source: 'system', path: '/etc/x' },
    profiles: profileStoreGateway(store, { maxPasscodeAttempts: null }),
    clipboard: { writeText: (text) => void (clipboardText = text) },
    sendEvent: (channel, payload) => void sent.push({ channel, payload }),
    clinical: createClinicalHandlers({
      policy,
      clipboard: {
        writeText: (text) => void (clipboardText = text),
        readText: () => clipboardText,
      },
      pickPath:
        pickerDir === null
          ? null
          : {
              saveFile: async ({ defaultName }) => path.join(pickerDir, defaultName),
              chooseFolder: async () => pickerDir,
            },
      ...(useRegistry ? {} : { originalsDeleter: deleter }),
      clock,
    }),
  });
}

const call = async (method: string, request: unknown = {}) =>
  core.dispatcher.dispatch(method, request);
const value = async (method: string, request: unknown = {}) => {
  const result = await call(method, request);
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value as Record<string, unknown>;
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

beforeEach(async () => {
  temp = makeTempDir();
  clock = new FakeClock(t0 + 60 * 60_000);
  store = newStore(temp.dir, { now: () => clock.now() });
  const profile = await enrolledProfile(store, GP, t0);
  const q = storeMessage(profile, {
    self: GP,
    peer: RECEPTION,
    sender: RECEPTION,
    text: 'Can Mrs X take ibuprofen?',
    sentAt: t0,
  });
  const a = storeMessage(profile, {
    self: GP,
    peer: RECEPTION,
    sender: GP,
    text: 'Yes, with food.',
    sentAt: t0 + 60_000,
  });
  ids = { question: q.id, answer: a.id, conversationId: q.conversationId };
  profileId = profile.id;
  profile.close();
});

afterEach(async () => {
  await core.session.lock('user');
  temp.cleanup();
});

async function formFromDraft() {
  const draft = await value('transcription.draft', {
    conversationId: ids.conversationId,
    messageIds: [ids.question, ids.answer],
  });
  return {
    conversationId: draft['conversationId'],
    messageIds: draft['messageIds'],
    patient: { nhsNumber: '999 000 0018' },
    advice: draft['advice'],
    actions: [],
    adviceGivenBy: draft['adviceGivenBy'],
    askedBy: draft['askedBy'],
    deleteOriginals: { when: 'now' },
  };
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
}

describe('clinical IPC methods', () => {
  it('are all refused while locked', async () => {
    setUp({ allowExport: true }, temp.dir);
    for (const method of clinicalMethods) {
      const result = await call(method, {});
      expect(result, method).toMatchObject({ ok: false, error: { code: 'profile_locked' } });
    }
  });

  it('draft, render FHIR, copy, save, confirm: originals deleted and the renderer told', async () => {
    const saveDir = path.join(temp.dir, 'saves');
    mkdirSync(saveDir);
    setUp({ allowExport: true, clipboardClearSeconds: 45 }, saveDir);
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    const form = await formFromDraft();

    const fhir = await value('transcription.render', { form, format: 'fhir' });
    expect(validateFhir(JSON.parse(fhir['content'] as string))).toBe(true);

    // The clear time is the policy's clipboardClearSeconds.
    const copied = await value('transcription.copy', { form });
    expect(copied['clearsAt']).toBe(clock.now() + 45_000);
    expect(clipboardText).toContain('Patient NHS number: 999 000 0018');
    clock.advance(45_000);
    expect(clipboardText).toBe('');
    await value('transcription.copy', { form });

    const saved = await value('transcription.saveFhir', { form });
    expect(saved).toEqual({ saved: true, fileName: 'record-entry-2025-03-03.json' });
    expect(
      validateFhir(
        JSON.parse(readFileSync(path.join(saveDir, 'record-entry-2025-03-03.json'), 'utf8')),
      ),
    ).toBe(true);

    const confirmed = await value('transcription.confirm', { form });
    expect(confirmed).toMatchObject({ originals: 'now', undoUntil: clock.now() + 10_000 });
    // Nothing goes out during the undo window; then the runner sends it.
    expect(deletes).toEqual([]);
    clock.advance(10_000);
    await waitFor(() => deletes.length === 1);
    expect(deletes).toEqual([[ids.question, ids.answer]]);
    // Announcing the deletion is the deleter's (the messaging core's), not this handler's: a
    // second announcement here reached the renderer twice (messaging-app-events.test.ts).
    expect(sent.filter((e) => e.channel === eventChannel('messages.deleted'))).toEqual([]);

    // Locking takes the entry off the clipboard.
    await value('profiles.lock');
    expect(clipboardText).toBe('');
  });

  it('uses the delete-for-everyone the messaging core registered for the open profile', async () => {
    setUp({}, null, true);
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    const form = await formFromDraft();
    expect(await call('transcription.confirm', { form, enteredAnotherWay: true })).toMatchObject({
      ok: false,
      error: { code: 'not_implemented' },
    });
    const profile = core.session.current()?.profile as OpenProfile;
    const unregister = registerOriginalsDeleter(profile, makeDeleter(profile));
    expect(await call('transcription.confirm', { form })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    const confirmed = await value('transcription.confirm', { form, enteredAnotherWay: true });
    expect(confirmed).toMatchObject({ originals: 'now' });
    expect(await value('transcription.undo', { auditId: confirmed['auditId'] })).toEqual({
      undone: true,
    });
    clock.advance(10_000);
    expect(deletes).toEqual([]);
    await value('transcription.confirm', { form, enteredAnotherWay: true });
    clock.advance(10_000);
    await waitFor(() => deletes.length === 1);
    expect(deletes).toEqual([[ids.question, ids.answer]]);
    unregister();
  });

  it('answers an incomplete form with every problem, and shows no dialog for it', async () => {
    setUp({}, temp.dir);
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    const form = { ...(await formFromDraft()), patient: { nhsNumber: '987 654 4321' } };
    const rendered = await value('transcription.render', { form, format: 'text' });
    expect(rendered['content']).toBeNull();
    expect(rendered['errors']).toEqual([expect.stringMatching(/^patient\.nhsNumber/)]);
    const saved = await call('transcription.saveFhir', { form });
    expect(saved).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('refuses the audit view to a clinician and the export without the passcode or policy', async () => {
    setUp({ allowExport: false }, temp.dir);
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    expect(await call('audit.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(
      await call('export.conversation', { conversationId: ids.conversationId, passcode: PASSCODE }),
    ).toMatchObject({ ok: false, error: { code: 'policy_restricted' } });
  });

  it('exports after the passcode is entered again, and only then', async () => {
    const exportDir = path.join(temp.dir, 'sar');
    mkdirSync(exportDir);
    setUp({ allowExport: true }, exportDir);
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    expect(
      await call('export.conversation', {
        conversationId: ids.conversationId,
        passcode: 'wrong passcode',
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_passcode' } });
    const done = await value('export.conversation', {
      conversationId: ids.conversationId,
      passcode: PASSCODE,
      reference: 'SAR 14',
    });
    expect(done).toMatchObject({ exported: true, messageCount: 2 });
  });

  it('catches up on unlock: messages that expired while locked are deleted and announced', async () => {
    setUp({ retentionDays: 1 }, null);
    clock.set(t0 + 2 * day);
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    await settle();
    expect(sent).toContainEqual({
      channel: eventChannel('messages.deleted'),
      payload: {
        conversationId: ids.conversationId,
        messageIds: [ids.question, ids.answer],
        reason: 'expired',
      },
    });
    expect(
      await call('transcription.draft', {
        conversationId: ids.conversationId,
        messageIds: [ids.answer],
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
