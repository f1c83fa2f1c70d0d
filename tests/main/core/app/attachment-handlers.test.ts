/**
 * The attachment IPC methods through createAppCore, between two windows on a real relay: a file
 * chosen in main's open dialog or dropped as bytes, checked (type from the bytes, policy, PID on
 * its name and caption), sent, shown to the recipient (never as an empty message), and saved or
 * opened through main only.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../../../main/core/app/app-core.js';
import { policySchema } from '../../../../main/core/policy/policy-schema.js';
import { png } from '../../../helpers/png.js';
import { validateFhirCommunication } from '../helpers/fhir-schema.js';
import { startTestRelay, type TestRelay } from '../../../server/test-relay.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';
import { eventually, fastTuning, quietLogger } from '../messaging/messaging-harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
interface Window {
  core: AppCore;
  events: { channel: string; payload: any }[];
  call(method: string, request?: unknown): Promise<any>;
  attempt(method: string, request?: unknown): Promise<any>;
  chosen: { next: string | null };
  filesDir: string;
  viewed: string[];
}
/* eslint-enable @typescript-eslint/no-explicit-any */

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
const windows: Window[] = [];

beforeEach(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-ipc-attachments-');
});
afterEach(async () => {
  for (const w of windows.splice(0)) await w.core.session.lock('user');
  await relay.stop();
  temp.cleanup();
});

function openWindow(name: string, policyJson: object): Window {
  const filesDir = path.join(temp.dir, `${name}-files`);
  mkdirSync(filesDir, { recursive: true });
  const chosen: Window['chosen'] = { next: null };
  const viewed: string[] = [];
  const events: Window['events'] = [];
  const core = createAppCore({
    appInfo: { productName: 'Practice Messenger', version: '0.1.0', platform: 'test' },
    policy: { policy: policySchema.parse(policyJson), source: 'defaults', path: null } as never,
    profileStore: newStore(`${temp.dir}/${name}`),
    clipboard: { writeText: () => undefined, readText: () => '' },
    pickPath: {
      saveFile: async ({ defaultName }) => path.join(filesDir, defaultName),
      chooseFolder: async () => filesDir,
      openFile: async () => chosen.next,
    },
    viewer: {
      open: async (file) => {
        // What a viewer would read, at the moment it is asked to.
        expect(readFileSync(file).length).toBeGreaterThan(0);
        viewed.push(file);
      },
    },
    sendEvent: (channel, payload) => void events.push({ channel, payload }),
    tuning: fastTuning,
    logger: quietLogger,
  });
  const window: Window = {
    core,
    events,
    chosen,
    filesDir,
    viewed,
    async call(method, request = {}) {
      const result = await core.dispatcher.dispatch(method, request);
      if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
      return result.value;
    },
    attempt: (method, request = {}) => core.dispatcher.dispatch(method, request),
  };
  windows.push(window);
  return window;
}

async function enrolled(name: string, role: 'reception' | 'clinician', policyJson: object = {}) {
  const w = openWindow(name.toLowerCase().replace(/\W+/g, '-'), policyJson);
  const issued = await relay.relay.enrol({ displayName: name, role, org: 'Riverside' });
  await w.call('profiles.create', { displayName: name, passcode: PASSCODE });
  const { self } = await w.call('account.enrol', {
    serverUrl: relay.relay.url,
    enrolmentCode: issued.code,
  });
  return { w, self };
}

const base64 = (bytes: Buffer) => bytes.toString('base64');

describe('attachments through the IPC contract', () => {
  it('reception sends a screenshot with a caption; the GP sees the file, its image, saves and opens it', async () => {
    const reception = await enrolled('Reception Desk', 'reception');
    const gp = await enrolled('Dr A Patel', 'clinician');
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const screenshot = png(40, 30);
    const { staged } = await reception.w.call('attachments.stage', {
      name: 'C:\\Users\\desk\\Pictures\\results screen.png',
      dataBase64: base64(screenshot),
    });
    expect(staged).toMatchObject({
      name: 'results screen.png',
      type: 'image/png',
      size: screenshot.length,
      imageBase64: base64(screenshot),
    });
    const { message } = await reception.w.call('attachments.send', {
      conversationId: conversation.id,
      stageId: staged.stageId,
      caption: 'Blood results as they came in',
      imageShowsPatientDetails: true,
    });
    expect(message).toMatchObject({
      text: 'Blood results as they came in',
      status: 'pending',
      attachment: { name: 'results screen.png', type: 'image/png', size: screenshot.length },
    });
    // Sent once: the draft is gone from main.
    expect(
      await reception.w.attempt('attachments.send', {
        conversationId: conversation.id,
        stageId: staged.stageId,
      }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });

    await eventually(
      () => gp.w.events.some((e) => e.channel.endsWith('message.added')),
      'gp gets message.added',
    );
    const added = gp.w.events.find((e) => e.channel.endsWith('message.added'))!.payload.message;
    // Cancel is for an upload in progress: not once the file is on its way, nor a received one.
    expect(
      await reception.w.attempt('attachments.cancel', {
        conversationId: conversation.id,
        messageId: message.id,
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: /already been uploaded/ },
    });
    expect(
      await gp.w.attempt('attachments.cancel', {
        conversationId: added.conversationId,
        messageId: added.id,
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_input', message: /being uploaded/ } });
    expect(
      await gp.w.attempt('attachments.cancel', {
        conversationId: conversation.id,
        messageId: added.id,
      }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(added).toMatchObject({
      id: message.id,
      text: 'Blood results as they came in',
      attachment: { name: 'results screen.png', type: 'image/png', state: 'downloading' },
    });
    await eventually(
      () =>
        gp.w.events.some(
          (e) =>
            e.channel.endsWith('message.updated') &&
            e.payload.message.attachment?.state === 'ready',
        ),
      'gp told the file is ready',
    );
    const request = { conversationId: added.conversationId, messageId: message.id };
    expect(await gp.w.call('attachments.content', request)).toEqual({
      type: 'image/png',
      dataBase64: base64(screenshot),
    });
    expect(await gp.w.call('attachments.save', request)).toEqual({
      saved: true,
      fileName: 'results screen.png',
    });
    expect(readFileSync(path.join(gp.w.filesDir, 'results screen.png')).equals(screenshot)).toBe(
      true,
    );
    expect(await gp.w.call('attachments.open', request)).toEqual({ opened: true });
    expect(gp.w.viewed).toHaveLength(1);
    const openedCopy = gp.w.viewed[0]!;
    expect(path.basename(openedCopy)).toBe('results screen.png');
    // The decrypted copy for the viewer does not outlive the session.
    await gp.w.core.session.lock('user');
    expect(existsSync(openedCopy)).toBe(false);
  });

  it('a file without a caption is named in the conversation list, not shown empty', async () => {
    const reception = await enrolled('Reception Desk', 'reception');
    const gp = await enrolled('Dr A Patel', 'clinician');
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const pdfFile = path.join(temp.dir, 'discharge letter.pdf');
    writeFileSync(pdfFile, pdf);
    reception.w.chosen.next = pdfFile;
    const { staged } = await reception.w.call('attachments.choose');
    expect(staged).toMatchObject({ name: 'discharge letter.pdf', type: 'application/pdf' });
    expect(staged.imageBase64).toBeNull();
    reception.w.chosen.next = null;
    expect(await reception.w.call('attachments.choose')).toEqual({ staged: null });
    await reception.w.call('attachments.send', {
      conversationId: conversation.id,
      stageId: staged.stageId,
    });
    await eventually(
      () => gp.w.events.some((e) => e.channel.endsWith('message.added')),
      'gp gets message.added',
    );
    const { conversations } = await gp.w.call('conversations.list', {});
    expect(conversations[0].lastMessageExcerpt).toBe('File: discharge letter.pdf');
    const added = gp.w.events.find((e) => e.channel.endsWith('message.added'))!.payload.message;
    await eventually(
      () =>
        gp.w.events.some(
          (e) =>
            e.channel.endsWith('message.updated') &&
            e.payload.message.attachment?.state === 'ready',
        ),
      'ready',
    );
    // Not an image: no inline bytes, but Save works.
    const request = { conversationId: added.conversationId, messageId: added.id };
    expect(await gp.w.attempt('attachments.content', request)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/Open or Save/) },
    });
    expect((await gp.w.call('attachments.save', request)).saved).toBe(true);
  });

  it('refuses what may not be sent, saying why: SVG, a renamed program, the policy', async () => {
    const reception = await enrolled('Reception Desk', 'reception', {
      attachmentTypes: ['image/png'],
    });
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>');
    expect(
      await reception.w.attempt('attachments.stage', {
        name: 'chart.png',
        dataBase64: base64(svg),
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_input', message: /SVG/ } });
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(200, 1)]);
    expect(
      await reception.w.attempt('attachments.stage', {
        name: 'x-ray.jpg',
        dataBase64: base64(exe),
      }),
    ).toMatchObject({ ok: false, error: { message: /Windows program/ } });
    const pdf = Buffer.from('%PDF-1.7\n%%EOF\n');
    expect(
      await reception.w.attempt('attachments.stage', { name: 'a.pdf', dataBase64: base64(pdf) }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden', message: /does not allow/ } });

    const off = await enrolled('Dr No Files', 'clinician', { allowAttachments: false });
    expect(
      await off.w.attempt('attachments.stage', { name: 'a.png', dataBase64: base64(png(2, 2)) }),
    ).toMatchObject({ ok: false, error: { code: 'policy_restricted' } });
    expect(await off.w.attempt('attachments.choose')).toMatchObject({
      ok: false,
      error: { code: 'policy_restricted' },
    });
  });

  it('the PID guard checks the file name and the caption; sending anyway is audited', async () => {
    const reception = await enrolled('Reception Desk', 'reception');
    const gp = await enrolled('Dr A Patel', 'clinician');
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const stage = async (name: string) =>
      (await reception.w.call('attachments.stage', { name, dataBase64: base64(png(3, 3)) })).staged;
    const named = await stage('rash 943 476 5919.png');
    expect(
      await reception.w.attempt('attachments.send', {
        conversationId: conversation.id,
        stageId: named.stageId,
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'policy_restricted', message: /NHS number/ },
    });
    const captioned = await stage('rash.png');
    expect(
      await reception.w.attempt('attachments.send', {
        conversationId: conversation.id,
        stageId: captioned.stageId,
        caption: 'Born 03/04/1950, lives at SW1A 1AA',
      }),
    ).toMatchObject({ ok: false, error: { code: 'policy_restricted' } });
    const { message } = await reception.w.call('attachments.send', {
      conversationId: conversation.id,
      stageId: named.stageId,
      sendDespitePidWarning: true,
      imageShowsPatientDetails: true,
    });
    const audit = reception.w.core.session
      .current()!
      .profile.repositories.audit.list({ limit: 50 });
    const sentAnyway = audit.find(
      (e) => e.messageIds.includes(message.id) && e.action === 'message.sent_despite_pid',
    );
    expect(sentAnyway).toMatchObject({ action: 'message.sent_despite_pid' });
    // Kinds only: never the name or the number itself.
    expect(JSON.stringify(sentAnyway)).not.toMatch(/943|rash/);
  });

  it('every image asks "Does this show patient details?" unless the policy turns it off; the answer is audited, nothing else', async () => {
    const reception = await enrolled('Reception Desk', 'reception');
    const gp = await enrolled('Dr A Patel', 'clinician');
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const { staged } = await reception.w.call('attachments.stage', {
      name: 'rash photo.png',
      dataBase64: base64(png(6, 6)),
    });
    expect(
      await reception.w.attempt('attachments.send', {
        conversationId: conversation.id,
        stageId: staged.stageId,
        caption: 'Photo the patient sent',
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: /Does this show patient details\?/ },
    });
    // Refused before anything left: the file is still staged and nothing was sent.
    const { message } = await reception.w.call('attachments.send', {
      conversationId: conversation.id,
      stageId: staged.stageId,
      caption: 'Photo the patient sent',
      imageShowsPatientDetails: true,
    });
    const audit = reception.w.core.session.current()!.profile.repositories.audit;
    const answered = audit.list({ limit: 50 }).filter((e) => e.messageIds.includes(message.id));
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({
      action: 'attachment.image_pid_answered',
      details: { showsPatientDetails: 'yes' },
    });
    expect(JSON.stringify(answered[0])).not.toMatch(/rash|Photo/);

    // A PDF is not an image: no question, nothing audited.
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const letter = (
      await reception.w.call('attachments.stage', { name: 'letter.pdf', dataBase64: base64(pdf) })
    ).staged;
    const sentLetter = (
      await reception.w.call('attachments.send', {
        conversationId: conversation.id,
        stageId: letter.stageId,
      })
    ).message;
    expect(audit.list({ limit: 50 }).some((e) => e.messageIds.includes(sentLetter.id))).toBe(false);

    // The policy turns the question off: an image goes without an answer, and none is audited.
    const unasked = await enrolled('Nurse Desk', 'reception', { askImagePatientDetails: false });
    expect(await unasked.w.call('policy.get')).toMatchObject({ askImagePatientDetails: false });
    const other = await unasked.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const image = (
      await unasked.w.call('attachments.stage', { name: 'a.png', dataBase64: base64(png(4, 4)) })
    ).staged;
    const sentImage = (
      await unasked.w.call('attachments.send', {
        conversationId: other.conversation.id,
        stageId: image.stageId,
      })
    ).message;
    const unaskedAudit = unasked.w.core.session.current()!.profile.repositories.audit;
    expect(
      unaskedAudit.list({ limit: 50 }).some((e) => e.action === 'attachment.image_pid_answered'),
    ).toBe(false);
    expect(sentImage.attachment.type).toBe('image/png');
  });

  it('a transcription lists the file in the plain text and carries it in FHIR as contentAttachment', async () => {
    const reception = await enrolled('Reception Desk', 'reception');
    const gp = await enrolled('Dr A Patel', 'clinician');
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const photo = png(30, 20, [200, 40, 40]);
    const { staged } = await reception.w.call('attachments.stage', {
      name: 'rash photo.png',
      dataBase64: base64(photo),
    });
    const sent = (
      await reception.w.call('attachments.send', {
        conversationId: conversation.id,
        stageId: staged.stageId,
        caption: 'Is this OK to wait until Monday?',
        imageShowsPatientDetails: true,
      })
    ).message;
    await eventually(
      () =>
        gp.w.events.some(
          (e) =>
            e.channel.endsWith('message.updated') &&
            e.payload.message.id === sent.id &&
            e.payload.message.attachment?.state === 'ready',
        ),
      'file ready at the GP',
    );
    const gpConversation = gp.w.events.find((e) => e.channel.endsWith('message.added'))!.payload
      .message.conversationId;
    const reply = (
      await gp.w.call('messages.send', {
        conversationId: gpConversation,
        text: 'Yes, emollient twice a day; back if it spreads.',
      })
    ).message;
    const form = {
      conversationId: gpConversation,
      messageIds: [sent.id, reply.id],
      patient: { nhsNumber: '943 476 5919' },
      advice: 'Emollient twice a day; review if it spreads.',
      adviceGivenBy: { name: 'Dr A Patel', role: 'GP', accountId: gp.self.accountId },
      askedBy: { name: 'Reception Desk', role: 'Receptionist' },
      deleteOriginals: { when: 'now' },
    };
    const sha256 = createHash('sha256').update(photo).digest('hex');
    const text = await gp.w.call('transcription.render', { form, format: 'text' });
    expect(text.errors).toEqual([]);
    // The name, type, size and SHA-256 of the bytes the GP received.
    expect(text.content).toContain(`- rash photo.png (image/png, `);
    expect(text.content).toContain(`, SHA-256 ${sha256})`);
    const fhir = await gp.w.call('transcription.render', { form, format: 'fhir' });
    const resource = JSON.parse(fhir.content);
    expect(
      validateFhirCommunication(resource),
      JSON.stringify(validateFhirCommunication.errors),
    ).toBe(true);
    const files = resource.payload.filter((p: object) => 'contentAttachment' in p);
    expect(files).toEqual([
      {
        contentAttachment: {
          contentType: 'image/png',
          data: base64(photo),
          size: photo.length,
          hash: createHash('sha1').update(photo).digest('base64'),
          title: 'rash photo.png',
        },
      },
    ]);
    // Saved beside the record entry on request: the file itself, byte for byte, 0600.
    const folder = path.join(temp.dir, 'dr-a-patel-files');
    const plain = await gp.w.call('transcription.saveFhir', { form });
    expect(plain).toMatchObject({ saved: true, files: [] });
    expect(existsSync(path.join(folder, 'rash photo.png'))).toBe(false);
    const saved = await gp.w.call('transcription.saveFhir', { form, withFiles: true });
    expect(saved.files).toEqual(['rash photo.png']);
    expect(readFileSync(path.join(folder, 'rash photo.png')).equals(photo)).toBe(true);
    if (process.platform !== 'win32') {
      expect(statSync(path.join(folder, 'rash photo.png')).mode & 0o777).toBe(0o600);
    }
    // Never over a file already there.
    const again = await gp.w.call('transcription.saveFhir', { form, withFiles: true });
    expect(again.files).toEqual(['rash photo (1).png']);
  });

  it('an image whose header promises too many pixels is not handed to the renderer to decode', async () => {
    const reception = await enrolled('Reception Desk', 'reception');
    const gp = await enrolled('Dr A Patel', 'clinician');
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const bomb = png(4, 4, [0, 0, 0], { width: 60_000, height: 60_000 });
    const { staged } = await reception.w.call('attachments.stage', {
      name: 'bomb.png',
      dataBase64: base64(bomb),
    });
    expect(staged.imageBase64).toBeNull();
    const { message } = await reception.w.call('attachments.send', {
      conversationId: conversation.id,
      stageId: staged.stageId,
      imageShowsPatientDetails: false,
    });
    expect(
      await reception.w.attempt('attachments.content', {
        conversationId: conversation.id,
        messageId: message.id,
      }),
    ).toMatchObject({ ok: false, error: { message: /too large/ } });
  });

  it('a file goes with its message: transcribed and deleted on both windows, and on remote wipe', async () => {
    const reception = await enrolled('Reception Desk', 'reception');
    const gp = await enrolled('Dr A Patel', 'clinician');
    const { conversation } = await reception.w.call('conversations.create', {
      participantIds: [gp.self.accountId],
    });
    const send = async (name: string) => {
      const { staged } = await reception.w.call('attachments.stage', {
        name,
        dataBase64: base64(png(5, 5)),
      });
      return (
        await reception.w.call('attachments.send', {
          conversationId: conversation.id,
          stageId: staged.stageId,
          imageShowsPatientDetails: false,
        })
      ).message;
    };
    const first = await send('first.png');
    const second = await send('second.png');
    const ready = (id: string) =>
      gp.w.events.some(
        (e) =>
          e.channel.endsWith('message.updated') &&
          e.payload.message.id === id &&
          e.payload.message.attachment?.state === 'ready',
      );
    await eventually(() => ready(first.id) && ready(second.id), 'both files ready at the GP');
    const gpConversation = gp.w.events.find((e) => e.channel.endsWith('message.added'))!.payload
      .message.conversationId;

    // What transcription's "delete now" does once its undo window has passed.
    await gp.w.core.session
      .runtime()!
      .enrolled()
      .deleteForEveryone(gpConversation, [first.id], 'transcribed');
    for (const [w, conversationId] of [
      [gp.w, gpConversation],
      [reception.w, conversation.id],
    ] as const) {
      await eventually(
        () =>
          w.events.some(
            (e) =>
              e.channel.endsWith('messages.deleted') && e.payload.messageIds.includes(first.id),
          ),
        'messages.deleted',
      );
      expect(
        await w.attempt('attachments.content', { conversationId, messageId: first.id }),
      ).toMatchObject({ ok: false, error: { code: 'not_found' } });
      const repos = w.core.session.current()!.profile.repositories;
      expect(repos.attachments.get(first.id)).toBeNull();
      expect(repos.attachments.storedIndexes(first.id)).toEqual([]);
      expect(repos.attachments.get(second.id)).not.toBeNull();
    }

    // Remote wipe: the profile goes, and so does any copy opened in a viewer.
    await gp.w.call('attachments.open', { conversationId: gpConversation, messageId: second.id });
    const openedCopy = gp.w.viewed.at(-1)!;
    expect(existsSync(openedCopy)).toBe(true);
    await relay.relay.revoke(gp.self.accountId, { wipe: true });
    await eventually(
      () => gp.w.events.some((e) => e.channel.endsWith('session.locked')),
      'locked by the wipe',
    );
    expect(existsSync(openedCopy)).toBe(false);
  });
});
