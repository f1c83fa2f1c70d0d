// The clinical IPC methods on the app core, on a real profile whose messaging core runs against
// a relay that is not there: deleting for everyone is done here at once and queued for the
// others, as on a PC that is offline.
import { randomUUID } from 'node:crypto';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { validateFhirCommunication as validateFhir } from '../helpers/fhir-schema.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clinicalMethods } from '../../../../main/core/app/ipc-handlers.js';
import { createAppCore, type AppCore } from '../../../../main/core/app/app-core.js';
import { writeRelayAccount } from '../../../../main/core/messaging/relay-account.js';
import { policySchema } from '../../../../main/core/policy/policy-schema.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import { eventChannel } from '../../../../shared/ipc/names.js';
import { MANAGER, RECEPTION, enrolledProfile, storeMessage } from '../helpers/clinical-profile.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { fastTuning, quietLogger } from '../messaging/messaging-harness.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

const day = 24 * 60 * 60 * 1000;
const t0 = Date.UTC(2025, 2, 3, 9, 0);
// The messaging core needs a relay account id (a UUID); the staff identity is the same account.
const GP = { accountId: randomUUID(), displayName: 'Dr Amira Khan', role: 'clinician' };

let temp: ReturnType<typeof makeTempDir>;
let store: ProfileStore;
let clock: FakeClock;
let core: AppCore;
let sent: Array<{ channel: string; payload: unknown }>;
let clipboardText: string;
let profileId: string;
let ids: { question: string; answer: string; conversationId: string };

/** Enrols the profile with a relay on a closed port: its messaging core starts, offline. */
async function enrolOffline(): Promise<void> {
  const profile = await store.unlock(profileId, PASSCODE);
  writeRelayAccount(
    profile.repositories.settings,
    {
      serverUrl: 'http://127.0.0.1:9',
      accountId: GP.accountId,
      deviceId: 1,
      token: 't'.repeat(40),
      displayName: GP.displayName,
      role: 'clinician',
      org: 'Riverside',
      enrolledAt: t0,
    },
    t0,
  );
  profile.close();
}

async function setUp(policyJson: object, pickerDir: string | null, enrolled = true) {
  sent = [];
  clipboardText = '';
  if (enrolled) await enrolOffline();
  core = createAppCore({
    appInfo: { productName: 'Practice Messenger', version: '0', platform: 'linux' },
    policy: { policy: policySchema.parse(policyJson), source: 'system', path: '/etc/x' },
    profileStore: store,
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
            openFile: async () => null,
          },
    sendEvent: (channel, payload) => void sent.push({ channel, payload }),
    clock,
    tuning: fastTuning,
    logger: quietLogger,
  });
}

/** Which of the two messages are gone from the open profile (deleted, with a tombstone). */
function deletedHere(): string[] {
  const messages = core.session.current()!.profile.repositories.messages;
  return [ids.question, ids.answer].filter((id) => messages.wasDeleted(id));
}
const deletedEvents = () => sent.filter((e) => e.channel === eventChannel('messages.deleted'));

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
  const profile = await enrolledProfile(store, GP, t0, [GP, RECEPTION, MANAGER]);
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
    await setUp({ allowExport: true }, temp.dir);
    for (const method of clinicalMethods) {
      const result = await call(method, {});
      expect(result, method).toMatchObject({ ok: false, error: { code: 'profile_locked' } });
    }
  });

  it('draft, render FHIR, copy, save, confirm: originals deleted and the renderer told', async () => {
    const saveDir = path.join(temp.dir, 'saves');
    mkdirSync(saveDir);
    await setUp({ allowExport: true, clipboardClearSeconds: 45 }, saveDir);
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
    expect(saved).toEqual({ saved: true, fileName: 'record-entry-2025-03-03.json', files: [] });
    expect(
      validateFhir(
        JSON.parse(readFileSync(path.join(saveDir, 'record-entry-2025-03-03.json'), 'utf8')),
      ),
    ).toBe(true);

    const confirmed = await value('transcription.confirm', { form });
    expect(confirmed).toMatchObject({ originals: 'now', undoUntil: clock.now() + 10_000 });
    // Nothing goes out during the undo window; then the runner sends it.
    expect(deletedHere()).toEqual([]);
    clock.advance(10_000);
    await waitFor(() => deletedHere().length === 2);
    expect(deletedHere()).toEqual([ids.question, ids.answer]);
    // Announced once, by the messaging core that deleted them (a second announcement by the
    // handler reached the renderer twice: messaging-app-events.test.ts).
    await settle();
    expect(deletedEvents().map((e) => e.payload)).toEqual([
      {
        conversationId: ids.conversationId,
        messageIds: [ids.question, ids.answer],
        reason: 'transcribed',
      },
    ]);

    // Locking takes the entry off the clipboard.
    await value('profiles.lock');
    expect(clipboardText).toBe('');
  });

  it("deletes through the open profile's messaging core, which starts once it is enrolled", async () => {
    await setUp({}, null, false);
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    const form = await formFromDraft();
    expect(await call('transcription.confirm', { form, enteredAnotherWay: true })).toMatchObject({
      ok: false,
      error: { code: 'not_implemented' },
    });
    await value('profiles.lock');
    await enrolOffline();
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    expect(core.session.runtime()?.messaging()).not.toBeNull();
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
    await settle();
    expect(deletedHere()).toEqual([]);
    await value('transcription.confirm', { form, enteredAnotherWay: true });
    clock.advance(10_000);
    await waitFor(() => deletedHere().length === 2);
    expect(deletedHere()).toEqual([ids.question, ids.answer]);
  });

  it('answers an incomplete form with every problem, and shows no dialog for it', async () => {
    await setUp({}, temp.dir);
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    const form = { ...(await formFromDraft()), patient: { nhsNumber: '987 654 4321' } };
    const rendered = await value('transcription.render', { form, format: 'text' });
    expect(rendered['content']).toBeNull();
    expect(rendered['errors']).toEqual([expect.stringMatching(/^patient\.nhsNumber/)]);
    const saved = await call('transcription.saveFhir', { form });
    expect(saved).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('refuses the audit view to a clinician and the export without the passcode or policy', async () => {
    await setUp({ allowExport: false }, temp.dir);
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    expect(await call('audit.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('audit.practice', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // The request is checked against the contract before anything else.
    expect(await call('audit.practice', { kind: 'no spaces allowed' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    // A mistyped NHS number (wrong check digit) is refused, not searched for and found absent.
    expect(await call('audit.practice', { patientNhsNumber: '943 476 5918' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/check digit/) },
    });
    expect(
      await call('export.conversation', { conversationId: ids.conversationId, passcode: PASSCODE }),
    ).toMatchObject({ ok: false, error: { code: 'policy_restricted' } });
  });

  it('exports after the passcode is entered again, and only then', async () => {
    const exportDir = path.join(temp.dir, 'sar');
    mkdirSync(exportDir);
    await setUp({ allowExport: true }, exportDir);
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
    await setUp({ retentionDays: 1 }, null);
    clock.set(t0 + 2 * day);
    await value('profiles.unlock', { profileId, passcode: PASSCODE });
    // The catch-up runs in the background after unlock: wait for its announcement, however
    // loaded the machine (a fixed pause was flaky).
    await vi.waitFor(
      () =>
        expect(sent).toContainEqual({
          channel: eventChannel('messages.deleted'),
          payload: {
            conversationId: ids.conversationId,
            messageIds: [ids.question, ids.answer],
            reason: 'expired',
          },
        }),
      { timeout: 15_000, interval: 20 },
    );
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
