import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { validateFhirCommunication as validateFhir } from '../helpers/fhir-schema.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../../shared/errors.js';
import type { TranscriptionForm } from '../../../../shared/ipc/clinical-schemas.js';
import { transcriptionFormSchema } from '../../../../shared/ipc/clinical-schemas.js';
import { SensitiveClipboard } from '../../../../main/core/clipboard/sensitive-clipboard.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import { RetentionService } from '../../../../main/core/retention/retention-service.js';
import type {
  OriginalsDeleter,
  TranscribedNotice,
} from '../../../../main/core/transcription/originals-deleter.js';
import { EntryHandovers } from '../../../../main/core/transcription/entry-handovers.js';
import { PendingDeletionRunner } from '../../../../main/core/transcription/pending-deletion-runner.js';
import { TranscriptionService } from '../../../../main/core/transcription/transcription-service.js';
import { communicationIdFor } from '../../../../main/core/transcription/communication-id.js';
import { platformLineEnding } from '../../../../main/core/transcription/render-entry.js';
import { MessagingViews } from '../../../../main/core/app/messaging-views.js';
import { GP, RECEPTION, enrolledProfile, storeMessage } from '../helpers/clinical-profile.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { makeTempDir, newStore } from '../helpers/temp-profiles.js';

const asked = Date.UTC(2025, 2, 3, 9, 14);
const answered = Date.UTC(2025, 2, 3, 9, 20);
const recorded = Date.UTC(2025, 2, 3, 11, 2);
const QUESTION = 'Mrs X asks if she can take paracetamol with her new tablets <b>today</b>';
const ADVICE = 'Yes, paracetamol is fine.\nReview in 2 weeks if no better.';
const NHS = '943 476 5919';

class RecordingDeleter implements OriginalsDeleter {
  readonly deletes: Array<{ conversationId: string; ids: string[]; reason: string }> = [];
  readonly notices: Array<{ conversationId: string; notice: TranscribedNotice }> = [];
  constructor(
    private readonly profile: OpenProfile,
    private readonly fail = false,
  ) {}
  async deleteForEveryone(conversationId: string, ids: readonly string[], reason: 'transcribed') {
    this.deletes.push({ conversationId, ids: [...ids], reason });
    if (this.fail) throw new Error('relay unreachable');
    this.profile.repositories.messages.delete(ids, Date.now(), 'transcribed');
  }
  async sendTranscribedNotice(conversationId: string, notice: TranscribedNotice) {
    this.notices.push({ conversationId, notice });
  }
}

class MemoryClipboard {
  text = '';
  writeText(text: string) {
    this.text = text;
  }
  readText() {
    return this.text;
  }
}

let temp: ReturnType<typeof makeTempDir>;
let profile: OpenProfile;
let clock: FakeClock;
let clipboard: MemoryClipboard;
let deleter: RecordingDeleter;
let service: TranscriptionService;
let question: { id: string; conversationId: string };
let answer: { id: string; conversationId: string };

beforeEach(async () => {
  temp = makeTempDir();
  clock = new FakeClock(recorded);
  profile = await enrolledProfile(newStore(temp.dir), GP, asked);
  question = storeMessage(profile, {
    self: GP,
    peer: RECEPTION,
    sender: RECEPTION,
    text: QUESTION,
    sentAt: asked,
  });
  answer = storeMessage(profile, {
    self: GP,
    peer: RECEPTION,
    sender: GP,
    text: ADVICE,
    sentAt: answered,
  });
  clipboard = new MemoryClipboard();
  deleter = new RecordingDeleter(profile);
  service = new TranscriptionService({
    profile,
    deleter,
    clipboard: new SensitiveClipboard(clipboard, clock, 60_000),
    now: () => clock.now(),
  });
});

afterEach(() => {
  profile.close();
  temp.cleanup();
});

function completedForm(overrides: Partial<TranscriptionForm> = {}): TranscriptionForm {
  const draft = service.draft({
    conversationId: question.conversationId,
    messageIds: [answer.id, question.id],
  });
  return transcriptionFormSchema.parse({
    conversationId: draft.conversationId,
    messageIds: draft.messageIds,
    patient: { nhsNumber: NHS, name: 'Mary Example', dateOfBirth: '1950-03-03' },
    advice: draft.advice,
    actions: ['Reception to call patient back'],
    adviceGivenBy: { ...draft.adviceGivenBy!, role: 'GP' },
    askedBy: draft.askedBy,
    deleteOriginals: { when: 'now' },
    ...overrides,
  });
}

function auditTableDump(): string {
  return JSON.stringify(profile.db.prepare('SELECT * FROM audit_log').all());
}

describe('transcription draft', () => {
  it('quotes the selection in time order with who, role and when; the giver, asker and transcriber', () => {
    const draft = service.draft({
      conversationId: question.conversationId,
      messageIds: [answer.id, question.id, answer.id],
    });
    expect(draft.messageIds).toEqual([question.id, answer.id]);
    expect(draft.advice).toBe(
      [
        `09:14 Jane Doe (Reception): ${QUESTION}`,
        '09:20 Dr Amira Khan (Clinician): Yes, paracetamol is fine.',
        '  Review in 2 weeks if no better.',
      ].join('\n'),
    );
    expect(draft.adviceGivenBy).toEqual({
      name: 'Dr Amira Khan',
      role: 'Clinician',
      accountId: GP.accountId,
    });
    expect(draft.askedBy).toEqual({
      name: 'Jane Doe',
      role: 'Reception',
      accountId: RECEPTION.accountId,
    });
    expect(draft.transcribedBy.accountId).toBe(GP.accountId);
    expect(draft.adviceGivenAt).toBe(answered);
    expect(draft.quoted.map((q) => q.transcribedAt)).toEqual([null, null]);
  });

  it('names the peer as asker when only the advice giver is selected', () => {
    const draft = service.draft({ conversationId: answer.conversationId, messageIds: [answer.id] });
    expect(draft.askedBy?.accountId).toBe(RECEPTION.accountId);
  });

  it('refuses message ids that are not in the conversation, naming them', () => {
    const other = storeMessage(profile, {
      self: GP,
      peer: { accountId: 'acct-other', displayName: 'X', role: 'nurse' },
      sender: GP,
      text: 'elsewhere',
      sentAt: answered,
    });
    try {
      service.draft({
        conversationId: question.conversationId,
        messageIds: [question.id, other.id],
      });
      expect.unreachable();
    } catch (error) {
      expect(isMessengerError(error, 'not_found')).toBe(true);
      expect((error as Error).message).toContain(other.id);
    }
  });

  it('refuses a notice this device wrote: it is not clinical advice, at draft and at confirm', async () => {
    const notice = storeMessage(profile, {
      self: GP,
      peer: RECEPTION,
      sender: RECEPTION,
      text: 'A message from Jane Doe could not be decrypted and has been removed.',
      sentAt: answered + 1,
      kind: 'notice',
    });
    const selection = { conversationId: answer.conversationId, messageIds: [answer.id, notice.id] };
    expect(() => service.draft(selection)).toThrow(/not clinical advice/);
    try {
      service.draft(selection);
    } catch (error) {
      expect(isMessengerError(error, 'invalid_input')).toBe(true);
      expect((error as Error).message).toContain(notice.id);
      expect((error as Error).message).not.toContain(answer.id);
    }
    // The renderer could send a form naming a notice without asking for a draft first.
    await expect(
      service.confirm({ ...completedForm(), messageIds: [question.id, notice.id] }),
    ).rejects.toThrow(/not clinical advice/);
    expect(profile.repositories.messages.get(notice.id)).not.toBeNull();
    expect(auditTableDump()).not.toContain('transcription.confirmed');
  });

  it('needs an enrolled profile to know who transcribes', async () => {
    const bare = await newStore(temp.dir).create({ label: 'Bare', passcode: 'correct horse 1' });
    try {
      const bareService = new TranscriptionService({ profile: bare, deleter, clipboard: null });
      expect(() => bareService.draft({ conversationId: 'c', messageIds: ['abcdefgh'] })).toThrow(
        /has not enrolled/,
      );
    } finally {
      bare.close();
    }
  });
});

describe('rendering and validating the completed entry', () => {
  it('produces the plain-text entry with the attributed advice and the transcriber from the profile', () => {
    const rendered = service.render(completedForm(), 'text');
    expect(rendered.errors).toEqual([]);
    const text = rendered.content ?? '';
    expect(text).toContain('Patient NHS number: 943 476 5919');
    expect(text).toContain('Advice given by: Dr Amira Khan (GP)');
    expect(text).toContain('Asked by: Jane Doe (Reception)');
    // The role edited in the panel (GP) is the transcriber's too: one person, one role.
    expect(text).toContain('Transcribed by: Dr Amira Khan (GP), 03-Mar-2025 11:02');
    expect(text).not.toContain('(Clinician)');
    const full = service.render(completedForm({ template: 'full' }), 'text').content ?? '';
    expect(full).toContain(`messages ${question.id}, ${answer.id}`);
    expect(full).toContain('Recorded: 03-Mar-2025 11:02');
  });

  it('writes CRLF line endings on Windows and LF elsewhere', () => {
    expect(platformLineEnding('win32')).toBe('\r\n');
    expect(platformLineEnding('linux')).toBe('\n');
    const windows = new TranscriptionService({
      profile,
      deleter,
      clipboard: null,
      now: () => clock.now(),
      lineEnding: platformLineEnding('win32'),
    });
    const text = windows.render(completedForm(), 'text').content ?? '';
    expect(text.split('\r\n').length).toBeGreaterThan(10);
    expect(text).not.toMatch(/[^\r]\n/);
  });

  it('gives the FHIR resource the same id on every render, and records it in the audit', async () => {
    const id = () =>
      (JSON.parse(service.render(completedForm(), 'fhir').content ?? '{}') as { id: string }).id;
    const first = id();
    clock.advance(60_000);
    expect(id()).toBe(first);
    expect(first).toBe(communicationIdFor(question.conversationId, [answer.id, question.id]));
    await service.confirm(completedForm(), { enteredAnotherWay: true });
    expect(profile.repositories.audit.list()[0]?.details).toMatchObject({ communicationId: first });
  });

  it('dates the advice by its giver, not by the last message (question, answer, thanks)', () => {
    const thanks = storeMessage(profile, {
      self: GP,
      peer: RECEPTION,
      sender: RECEPTION,
      text: 'Thanks, will let her know',
      sentAt: answered + 5 * 60_000,
    });
    const selection = {
      conversationId: question.conversationId,
      messageIds: [question.id, answer.id, thanks.id],
    };
    const draft = service.draft(selection);
    expect(draft.adviceGivenBy?.accountId).toBe(GP.accountId);
    expect(draft.adviceGivenAt).toBe(answered);
    expect(draft.askedBy?.accountId).toBe(RECEPTION.accountId);
    const text =
      service.render(completedForm({ messageIds: draft.messageIds }), 'text').content ?? '';
    expect(text).toContain('Advice given: 03-Mar-2025 09:20');
    expect(text).toContain('Advice given by: Dr Amira Khan (GP)');
  });

  it('with no clinician in the selection, proposes nobody and refuses until one is chosen', () => {
    const draft = service.draft({
      conversationId: question.conversationId,
      messageIds: [question.id],
    });
    expect(draft.adviceGivenBy).toBeNull();
    expect(draft.adviceGivenAt).toBeNull();
    expect(draft.adviceGiverChoices.map((c) => [c.accountId, c.inSelection])).toEqual([
      [RECEPTION.accountId, true],
      [GP.accountId, false],
    ]);
    const form = completedForm({
      messageIds: [question.id],
      adviceGivenBy: { name: '', role: '' },
    });
    const rendered = service.render(form, 'text');
    expect(rendered.content).toBeNull();
    expect(rendered.errors).toContainEqual(
      expect.stringMatching(/^adviceGivenBy: Choose who gave the advice/),
    );
    expect(() => service.copy(form)).toThrow(/Choose who gave the advice/);
  });

  it('prefills the patient from the selected messages: a valid NHS number and a DOB beside it', () => {
    const said = storeMessage(profile, {
      self: GP,
      peer: RECEPTION,
      sender: RECEPTION,
      text: 'Mrs Mary Example, NHS 943 476 5919, DOB 03/04/1956, asks about ibuprofen',
      sentAt: answered - 60_000,
    });
    const draft = service.draft({ conversationId: said.conversationId, messageIds: [said.id] });
    expect(draft.patient).toEqual({
      nhsNumber: '943 476 5919',
      name: 'Mrs Mary Example',
      dateOfBirth: '1956-04-03',
      nhsNumbersFound: 1,
    });
    const invalid = storeMessage(profile, {
      self: GP,
      peer: RECEPTION,
      sender: RECEPTION,
      text: 'NHS 943 476 5918',
      sentAt: answered - 30_000,
    });
    const none = service.draft({ conversationId: said.conversationId, messageIds: [invalid.id] });
    expect(none.patient.nhsNumber).toBe('');
  });

  it('names the advice giver by the GMC number the directory lists (stored in the profile)', () => {
    profile.repositories.contacts.upsert(
      {
        accountId: GP.accountId,
        displayName: GP.displayName,
        role: 'clinician',
        gmcNumber: '1234567',
      },
      recorded,
    );
    expect(profile.repositories.contacts.get(GP.accountId)?.identifiers).toEqual({
      gmcNumber: '1234567',
    });
    const resource = JSON.parse(service.render(completedForm(), 'fhir').content ?? '{}') as {
      sender: unknown;
    };
    expect(resource.sender).toEqual({
      type: 'Practitioner',
      identifier: { system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: '1234567' },
      display: 'Dr Amira Khan (GP)',
    });
  });

  it('an urgent selected message makes the FHIR priority urgent', () => {
    const urgent = profile.repositories.messages.insert({
      id: 'urgent-message-1',
      conversationId: question.conversationId,
      direction: 'incoming',
      senderAccountId: RECEPTION.accountId,
      body: 'Urgent: can she double the dose?',
      urgent: true,
      status: 'delivered',
      sentAt: answered - 120_000,
      receivedAt: answered - 119_000,
      expiresAt: null,
    });
    expect(urgent).toBe(true);
    const form = completedForm({ messageIds: ['urgent-message-1', question.id, answer.id] });
    const resource = JSON.parse(service.render(form, 'fhir').content ?? '{}') as {
      priority: string;
    };
    expect(resource.priority).toBe('urgent');
    expect(JSON.parse(service.render(completedForm(), 'fhir').content ?? '{}').priority).toBe(
      'routine',
    );
  });

  it('produces a FHIR Communication that validates against the R4 schema', () => {
    const rendered = service.render(completedForm(), 'fhir');
    const resource = JSON.parse(rendered.content ?? 'null') as Record<string, unknown>;
    const valid = validateFhir(resource);
    expect(validateFhir.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(resource['subject']).toMatchObject({
      identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' },
    });
    expect(resource['sent']).toBe(new Date(answered).toISOString());
    // The GP gave the advice, so when the receptionist got it is not known on this device.
    expect(resource['received']).toBeUndefined();
    // And a tampered copy does not: the schema check is not vacuous.
    expect(validateFhir({ ...resource, status: 'finished' })).toBe(false);
  });

  it('lists every problem, including an NHS number with a wrong check digit', () => {
    const rendered = service.render(
      completedForm({
        patient: { nhsNumber: '943 476 5918' },
        advice: '   ',
        deleteOriginals: { when: 'at', at: recorded - 1 },
      }),
      'text',
    );
    expect(rendered.content).toBeNull();
    expect(rendered.errors).toEqual([
      expect.stringMatching(/^patient\.nhsNumber: .*check digit/),
      'advice: The advice is required',
      expect.stringMatching(/^deleteOriginals\.at: the deletion time has passed/),
    ]);
    expect(rendered.errors.join(' ')).not.toContain('9434765918');
  });
});

describe('copying and saving', () => {
  it('copies the entry and clears the clipboard after 60 s only if it still holds the entry', () => {
    const { clearsAt } = service.copy(completedForm());
    expect(clearsAt).toBe(recorded + 60_000);
    expect(clipboard.text).toContain('Patient NHS number: 943 476 5919');
    clock.advance(59_000);
    expect(clipboard.text).toContain('943 476 5919');
    clock.advance(1_000);
    expect(clipboard.text).toBe('');

    service.copy(completedForm());
    clipboard.text = 'something the user copied since';
    clock.advance(60_000);
    expect(clipboard.text).toBe('something the user copied since');
  });

  it('dates the entry from when it was opened: the copy matches the preview across a minute turn', () => {
    const form = completedForm();
    const preview = service.render(form, 'text').content;
    clock.advance(61_000);
    service.copy(form);
    expect(clipboard.text).toBe(preview);
    expect(clipboard.text).toContain('03-Mar-2025 11:02');
    // Opening it again dates it afresh.
    const reopened = completedForm();
    expect(service.render(reopened, 'text').content).toContain('03-Mar-2025 11:03');
  });

  it('refuses to copy an invalid entry', () => {
    expect(() => service.copy(completedForm({ patient: { nhsNumber: '123 456 7890' } }))).toThrow(
      /NHS number is not valid/,
    );
    expect(clipboard.text).toBe('');
  });

  it('saves the FHIR JSON atomically, 0600, and audits it without the path or PID', () => {
    const file = path.join(temp.dir, 'Mary Example advice.json');
    expect(service.saveFhir(completedForm(), file)).toEqual({
      fileName: 'Mary Example advice.json',
      files: [],
    });
    expect(validateFhir(JSON.parse(readFileSync(file, 'utf8')))).toBe(true);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const dump = auditTableDump();
    expect(dump).toContain('transcription.fhir_saved');
    expect(dump).not.toContain('Mary');
    expect(dump).not.toContain('9434765919');
  });

  it('refuses a relative path or a missing folder', () => {
    expect(() => service.saveFhir(completedForm(), 'entry.json')).toThrow(/absolute/);
    expect(() =>
      service.saveFhir(completedForm(), path.join(temp.dir, 'missing', 'entry.json')),
    ).toThrow(/folder .* does not exist/);
  });
});

describe('confirming that the entry is in the record', () => {
  const window = 10_000;
  let runner: PendingDeletionRunner;

  beforeEach(async () => {
    runner = new PendingDeletionRunner({ profile, deleter: () => deleter, clock });
    await runner.start();
    service = new TranscriptionService({
      profile,
      deleter,
      clipboard: new SensitiveClipboard(clipboard, clock, 60_000),
      handovers: new EntryHandovers(),
      now: () => clock.now(),
      pendingChanged: () => runner.reschedule(),
    });
  });
  afterEach(() => runner.stop());

  /** Copies the entry (as the panel's Copy button does), confirms, and waits out the window. */
  async function copyConfirmAndWait(form: TranscriptionForm) {
    service.copy(form);
    const result = await service.confirm(form);
    clock.advance(window);
    await runner.runDue();
    return result;
  }

  it('refuses "entered into the record" before the entry was copied or saved, recording nothing', async () => {
    const form = completedForm();
    await expect(service.confirm(form)).rejects.toMatchObject({
      code: 'invalid_input',
      details: { reason: 'not_handed_over' },
    });
    expect(profile.repositories.audit.list()).toEqual([]);
    clock.advance(window);
    await runner.runDue();
    expect(deleter.deletes).toEqual([]);
    expect(profile.repositories.messages.get(answer.id)?.transcribedAt).toBeNull();
  });

  it('accepts it once this exact entry was copied; an entry edited after copying must be copied again', async () => {
    const form = completedForm();
    service.copy(form);
    const edited = { ...form, advice: `${form.advice} Edited after copying.` };
    await expect(service.confirm(edited)).rejects.toMatchObject({ code: 'invalid_input' });
    // Choosing when the originals go is not part of the entry: no need to copy again.
    const result = await service.confirm({ ...form, deleteOriginals: { when: 'now' } });
    expect(profile.repositories.audit.list()[0]).toMatchObject({
      id: result.auditId,
      action: 'transcription.confirmed',
      details: { enteredBy: 'copied' },
    });
  });

  it('accepts a saved FHIR file, or the "entered another way" tick, and audits which', async () => {
    const form = completedForm();
    service.saveFhir(form, path.join(temp.dir, 'entry.json'));
    const saved = await service.confirm(form);
    const other = completedForm({ actions: [] });
    const ticked = await service.confirm(other, { enteredAnotherWay: true });
    const byId = new Map(profile.repositories.audit.list().map((e) => [e.id, e]));
    expect(byId.get(saved.auditId)?.details).toMatchObject({ enteredBy: 'fhir_saved' });
    expect(byId.get(ticked.auditId)?.details).toMatchObject({ enteredBy: 'another_way' });
  });

  it('sends nothing during the undo window and says how many messages go from how many devices', async () => {
    const form = completedForm();
    service.copy(form);
    const result = await service.confirm(form);
    expect(result).toMatchObject({
      originals: 'now',
      undoUntil: recorded + window,
      scope: { messages: 2, fromOthers: 1, devices: 2, peerDevices: 1, refusal: null },
    });
    clock.advance(window - 1);
    await runner.runDue();
    expect(deleter.deletes).toEqual([]);
    expect(profile.repositories.messages.get(answer.id)?.transcribedAt).toBeNull();
    clock.advance(1);
    await runner.runDue();
    expect(deleter.deletes).toEqual([
      {
        conversationId: question.conversationId,
        ids: [question.id, answer.id],
        reason: 'transcribed',
      },
    ]);
  });

  it('undo inside the window cancels the deletion, audited; after the window it is too late', async () => {
    const form = completedForm();
    service.copy(form);
    const result = await service.confirm(form);
    clock.advance(window / 2);
    runner.undo(result.auditId, GP.accountId);
    clock.advance(window);
    await runner.runDue();
    expect(deleter.deletes).toEqual([]);
    expect(profile.repositories.messages.get(answer.id)).toMatchObject({ transcribedAt: null });
    expect(profile.repositories.audit.list()[0]).toMatchObject({
      action: 'transcription.undone',
      details: { confirmation: result.auditId },
    });

    const again = await service.confirm(form);
    clock.advance(window);
    await runner.runDue();
    expect(() => runner.undo(again.auditId, GP.accountId)).toThrow(/Too late to undo/);
    expect(deleter.deletes).toHaveLength(1);
  });

  it('a deletion still in its window when the app closes goes out at the next start, once', async () => {
    const form = completedForm();
    service.copy(form);
    await service.confirm(form);
    runner.stop();
    clock.advance(60_000);
    const restarted = new PendingDeletionRunner({ profile, deleter: () => deleter, clock });
    await restarted.start();
    await restarted.runDue();
    restarted.stop();
    expect(deleter.deletes).toHaveLength(1);
    expect(profile.repositories.messages.get(answer.id)).toBeNull();
  });

  it("refuses a receptionist confirming a transcription that deletes a GP's originals", async () => {
    const desk = await enrolledProfile(newStore(temp.dir), RECEPTION, asked);
    try {
      const gpAdvice = storeMessage(desk, {
        self: RECEPTION,
        peer: GP,
        sender: GP,
        text: ADVICE,
        sentAt: answered,
      });
      const own = storeMessage(desk, {
        self: RECEPTION,
        peer: GP,
        sender: RECEPTION,
        text: 'Thanks, will let her know',
        sentAt: answered + 60_000,
      });
      const deskDeleter = new RecordingDeleter(desk);
      const deskService = new TranscriptionService({
        profile: desk,
        deleter: deskDeleter,
        clipboard: null,
        now: () => clock.now(),
      });
      const form = {
        ...completedForm(),
        conversationId: gpAdvice.conversationId,
        messageIds: [gpAdvice.id, own.id],
      };
      expect(deskService.scope(form).refusal).toMatch(/Only a clinician, nurse or pharmacist/);
      await expect(deskService.confirm(form, { enteredAnotherWay: true })).rejects.toMatchObject({
        code: 'forbidden',
        details: { reason: 'not_clinical', messageIds: [gpAdvice.id] },
      });
      expect(desk.repositories.audit.list()).toEqual([]);
      expect(desk.db.prepare('SELECT count(*) AS n FROM pending_transcriptions').get()).toEqual({
        n: 0,
      });
      // Her own message alone she may transcribe and delete.
      await expect(
        deskService.confirm({ ...form, messageIds: [own.id] }, { enteredAnotherWay: true }),
      ).resolves.toMatchObject({ originals: 'now' });
    } finally {
      desk.close();
    }
  });

  it('audits with a keyed patient hash and no message text, marks and deletes the originals everywhere', async () => {
    const result = await copyConfirmAndWait(completedForm());
    expect(deleter.deletes).toEqual([
      {
        conversationId: question.conversationId,
        ids: [question.id, answer.id],
        reason: 'transcribed',
      },
    ]);
    const { messages, audit } = profile.repositories;
    expect(messages.get(question.id)).toBeNull();
    expect(messages.wasDeleted(answer.id)).toBe(true);
    const entry = audit.list().find((e) => e.id === result.auditId);
    expect(entry).toMatchObject({
      at: recorded,
      actorAccountId: GP.accountId,
      action: 'transcription.confirmed',
      conversationId: question.conversationId,
      messageIds: [question.id, answer.id],
    });
    expect(entry?.patientRefHash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    const dump = auditTableDump();
    for (const secret of ['9434765919', '943 476 5919', 'paracetamol', 'Mary', 'tablets']) {
      expect(dump).not.toContain(secret);
    }
  });

  it('gives the same patient the same hash in this profile', async () => {
    const form = completedForm();
    const first = await copyConfirmAndWait(form);
    const again = storeMessage(profile, {
      self: GP,
      peer: RECEPTION,
      sender: GP,
      text: 'More advice',
      sentAt: answered + 5,
    });
    const second = await copyConfirmAndWait({ ...form, messageIds: [again.id] });
    const byId = new Map(profile.repositories.audit.list().map((e) => [e.id, e]));
    expect(byId.get(second.auditId)?.patientRefHash).toBe(byId.get(first.auditId)?.patientRefHash);
  });

  it('schedules a later deletion: marks transcribed after the window, tells everyone, and retention deletes on time', async () => {
    const deleteAt = recorded + 2 * 60 * 60 * 1000;
    const retention = new RetentionService({ profile, retentionDays: null, clock, deleter });
    await retention.start();
    const result = await copyConfirmAndWait(
      completedForm({ deleteOriginals: { when: 'at', at: deleteAt } }),
    );
    expect(result).toMatchObject({ originals: 'later', deleteAt });
    expect(deleter.deletes).toEqual([]);
    expect(deleter.notices).toEqual([
      {
        conversationId: question.conversationId,
        notice: {
          messageIds: [question.id, answer.id],
          transcribedBy: GP.accountId,
          transcribedAt: recorded,
          deleteAt,
        },
      },
    ]);
    const kept = profile.repositories.messages.get(answer.id);
    expect(new MessagingViews(profile).message(kept!).transcribed).toEqual({
      byName: 'Dr Amira Khan',
      at: recorded,
      deletesAt: deleteAt,
    });
    retention.reschedule();
    expect(retention.armedFor()).toBe(deleteAt);
    clock.advance(deleteAt - clock.now() - 1);
    await retention.sweep();
    expect(profile.repositories.messages.get(answer.id)).not.toBeNull();
    clock.advance(1);
    await retention.sweep();
    expect(profile.repositories.messages.get(answer.id)).toBeNull();
    expect(deleter.deletes).toHaveLength(1);
    retention.stop();
  });

  it('keeps the originals due for retention when delete-for-everyone fails', async () => {
    const failing = new RecordingDeleter(profile, true);
    const failingRunner = new PendingDeletionRunner({ profile, deleter: () => failing, clock });
    await failingRunner.start();
    const failingService = new TranscriptionService({
      profile,
      deleter: failing,
      clipboard: null,
      now: () => clock.now(),
    });
    await failingService.confirm(completedForm(), { enteredAnotherWay: true });
    clock.advance(window);
    await failingRunner.runDue();
    failingRunner.stop();
    expect(failing.deletes).toHaveLength(1);
    expect(profile.repositories.messages.get(answer.id)?.expiresAt).toBe(recorded + window);
  });

  it('refuses to confirm, recording nothing, until delete-for-everyone is available', async () => {
    const without = new TranscriptionService({
      profile,
      deleter: null,
      clipboard: null,
      now: () => clock.now(),
    });
    await expect(
      without.confirm(completedForm(), { enteredAnotherWay: true }),
    ).rejects.toMatchObject({ code: 'not_implemented' });
    expect(profile.repositories.audit.list()).toEqual([]);
    expect(profile.repositories.messages.get(answer.id)?.transcribedAt).toBeNull();
  });

  it('refuses an invalid entry, recording nothing', async () => {
    await expect(
      service.confirm(completedForm({ patient: { nhsNumber: '1111111111' } }), {
        enteredAnotherWay: true,
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(profile.repositories.audit.list()).toEqual([]);
    expect(deleter.deletes).toEqual([]);
    expect(existsSync(profile.databaseFile)).toBe(true);
  });
});
