/**
 * Attachments end to end in the browser: reception attaches a PNG screenshot through main's open
 * dialog (answered by the harness), previews it with a caption and sends it; the GP sees the
 * thumbnail (decoded in the page from a blob), views it full size and saves it (main's save
 * dialog) byte for byte. A file named with an NHS number is warned about before sending. An SVG
 * dropped on the composer is refused with the reason. The GP sends a PDF back; reception opens it
 * after the warning (the harness records what the system viewer was given). Reception sends a
 * file marked urgent (ticked while the file waits in the preview); the GP sees it marked, opens it
 * and answers it with an image, which reception sees under the quote and views. The GP transcribes
 * the urgent file and uses "Save FHIR file and attachments…": the FHIR file lists it as a
 * contentAttachment (bytes inline, R4 SHA-1, the SHA-256 in the narrative), the file beside it has
 * the sent bytes and mode 0600, and saving again keeps it and writes "name (1).pdf". New screens
 * are compared with baselines in tests/e2e/screenshots.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { png } from '../helpers/png.js';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import { checkScreen, openEnrolledWindow, send } from './practice-steps.js';

let harness: PracticeHarness;
let reception: Page;
let gp: Page;
let screenshotPng: Buffer;

/** Reception's urgent file (a PDF: no image question) and the GP's answer to it (an image). */
const urgentFile = {
  name: 'lab request.pdf',
  caption: 'Form for the duty doctor to sign today',
  bytes: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF\n'),
};
const replyFile = { name: 'signed form.png', caption: 'Signed, ready to collect', width: 80 };
const replyBytes = png(replyFile.width, 60, [20, 90, 160]);

const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const listItem = (page: Page, name: string) =>
  page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: new RegExp(name) });

/** A file on "this computer" for the open dialog to pick. */
function fileOnDisk(name: string, bytes: Buffer): string {
  const dir = path.join(harness.dataDir, 'desktop');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** An image's decoded width: 0 while it is broken or still loading. */
const naturalWidth = (img: Locator) =>
  img.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth);

/**
 * The GP opens the transcription panel for this one message (written by reception) with the
 * patient's NHS number, and says who gave the advice (herself, as GP).
 */
async function gpTranscribes(message: Locator): Promise<Locator> {
  await message.focus();
  await message.getByRole('button', { name: /^Transcribe/ }).click();
  const bar = gp.getByRole('region', { name: 'Messages to transcribe' });
  await expect(bar).toContainText('1 message selected');
  await bar.getByRole('button', { name: 'Transcribe selected' }).click();
  const panel = gp.getByRole('dialog', { name: 'Transcribe into the patient record' });
  await panel.getByLabel('NHS number').fill('943 476 5919');
  const giver = panel.getByRole('group', { name: 'Advice given by' });
  await giver.getByLabel('Who gave the advice').selectOption({ index: 1 });
  await giver.getByLabel('Role').fill('GP');
  return panel;
}

/** Times change from run to run: masked (a modal covers them, so its screens mask nothing). */
async function shot(page: Page, name: string, mask = true): Promise<void> {
  await expect(page.locator('.topbar .connection')).toHaveText('Connected');
  await page.mouse.move(0, 0);
  await expect(page).toHaveScreenshot(`${name}.png`, {
    mask: mask ? [page.locator('time, .conversation-time')] : [],
  });
}

/** Drops a file made in the page on the composer, as dragging it from the desktop would. */
async function dropOnComposer(page: Page, name: string, type: string, text: string) {
  const dataTransfer = await page.evaluateHandle(
    ({ name, type, text }) => {
      // Browser globals, typed here: the node-side tsconfig has no DOM types.
      const page = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: string[], name: string, options: { type: string }) => unknown;
      };
      const transfer = new page.DataTransfer();
      transfer.items.add(new page.File([text], name, { type }));
      return transfer;
    },
    { name, type, text },
  );
  await page.locator('.composer').dispatchEvent('dragover', { dataTransfer });
  await page.locator('.composer').dispatchEvent('drop', { dataTransfer });
}

test.describe.serial('attachments in the app', () => {
  test.beforeAll(async ({ browser }) => {
    harness = await startPracticeHarness(['--windows', 'reception,gp']);
    reception = await openEnrolledWindow(browser, harness, 'reception', {
      name: 'Sam Jones',
      role: 'reception',
      passcode: 'desk-passcode-1',
    });
    gp = await openEnrolledWindow(browser, harness, 'gp', {
      name: 'Dr Priya Patel',
      role: 'clinician',
      passcode: 'consulting-room-7',
    });
    await reception.getByRole('button', { name: 'New conversation' }).click();
    const dialog = reception.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByLabel('Search the practice directory').fill('Priya');
    await dialog.getByRole('button', { name: /Dr Priya Patel/ }).click();
    await send(reception, 'Mrs A rang about her blood results; here is the screen.');
    // A real screenshot of the practice's screen: the PNG reception attaches.
    await expect(reception.locator('.message-out [data-status]').last()).toHaveAttribute(
      'data-status',
      'delivered',
    );
    // Its times masked, so the image (and the baselines showing it) is the same every run.
    screenshotPng = await reception.screenshot({
      mask: [reception.locator('time, .conversation-time')],
    });
  });

  test.afterAll(async () => {
    await harness?.stop();
  });

  test('reception attaches a screenshot, previews it with a caption and sends it', async () => {
    await harness.chooseFile('reception', fileOnDisk('results screen.png', screenshotPng));
    await reception.getByRole('button', { name: /^Attach/ }).click();
    const draft = reception.getByRole('group', { name: 'File to send' });
    await expect(draft.getByRole('img', { name: 'Preview of results screen.png' })).toBeVisible();
    await expect(draft).toContainText('PNG image');
    const composer = reception.getByLabel('Message', { exact: true });
    await composer.fill('Blood results as they came in');
    await checkScreen(reception, 'attachment-draft');
    await shot(reception, 'attachment-draft-1280x800');
    await composer.press('Enter');
    // Every image asks first; nothing leaves until it is answered.
    const question = reception.getByRole('dialog', { name: 'Does this show patient details?' });
    await expect(question).toContainText('end-to-end encrypted and deleted with the conversation');
    await expect(draft).toBeVisible();
    await question.getByRole('button', { name: 'Yes, it shows patient details' }).click();
    await expect(question).toHaveCount(0);
    await expect(draft).toHaveCount(0);
    const sent = reception.locator('.message-out').last();
    await expect(sent.getByRole('img', { name: 'PNG image: results screen.png' })).toBeVisible();
    await expect(sent.locator('.message-text')).toHaveText('Blood results as they came in');
    await expect(sent.locator('[data-status]')).toHaveAttribute('data-status', /sent|delivered/);
  });

  test('the GP sees the thumbnail, views it full size and saves it byte for byte', async () => {
    await listItem(gp, 'Sam Jones').click();
    const received = gp.locator('.message-in').last();
    const thumbnail = received.getByRole('img', { name: 'PNG image: results screen.png' });
    await expect(thumbnail).toBeVisible();
    // Decoded in the page from the bytes main decrypted, not a broken image.
    await expect.poll(() => naturalWidth(thumbnail)).toBe(1280);
    expect(await thumbnail.getAttribute('src')).toMatch(/^blob:/);
    await expect(received.locator('.message-text')).toHaveText('Blood results as they came in');
    await checkScreen(gp, 'attachment-received');
    await shot(gp, 'attachment-received-1280x800');

    await received.getByRole('button', { name: 'View full size' }).click();
    const viewer = gp.getByRole('dialog', { name: 'results screen.png' });
    await expect(viewer.getByRole('img')).toBeVisible();
    await shot(gp, 'attachment-viewer-1280x800', false);
    await viewer.getByRole('button', { name: 'Save', exact: true }).click();
    const saved = path.join(harness.dataDir, 'profiles', 'gp-files', 'results screen.png');
    await expect
      .poll(() => (existsSync(saved) ? readFileSync(saved).length : 0))
      .toBe(screenshotPng.length);
    expect(readFileSync(saved).equals(screenshotPng)).toBe(true);
    await viewer.getByRole('button', { name: 'Close' }).click();
    await expect(viewer).toHaveCount(0);
  });

  test('a screenshot pasted into the composer waits as a preview until removed', async () => {
    const base64 = screenshotPng.toString('base64');
    await reception.getByLabel('Message', { exact: true }).evaluate((textarea, data) => {
      // Browser globals, typed here: the node-side tsconfig has no DOM types.
      const page = globalThis as unknown as {
        atob(text: string): string;
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: unknown[], name: string, options: { type: string }) => unknown;
        ClipboardEvent: new (type: string, init: object) => unknown;
      };
      const binary = page.atob(data);
      const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      const transfer = new page.DataTransfer();
      // What the clipboard holds after Print Screen: an unnamed PNG.
      transfer.items.add(new page.File([bytes], 'image.png', { type: 'image/png' }));
      const paste = new page.ClipboardEvent('paste', {
        clipboardData: transfer,
        bubbles: true,
        cancelable: true,
      });
      (textarea as unknown as { dispatchEvent(event: unknown): boolean }).dispatchEvent(paste);
    }, base64);
    const draft = reception.getByRole('group', { name: 'File to send' });
    await expect(draft.getByRole('img', { name: 'Preview of image.png' })).toBeVisible();
    await draft.getByRole('button', { name: /^Remove/ }).click();
    await expect(draft).toHaveCount(0);
  });

  test('a file named with an NHS number is warned about before it is sent', async () => {
    await harness.chooseFile('reception', fileOnDisk('scan 943 476 5919.png', screenshotPng));
    await reception.getByRole('button', { name: /^Attach/ }).click();
    const warning = reception.locator('.pid-warning');
    await expect(warning).toContainText('NHS number');
    await expect(warning.locator('mark')).toHaveText('943 476 5919');
    await reception.getByRole('button', { name: /^Remove/ }).click();
    await expect(warning).toHaveCount(0);
  });

  test('an SVG dropped on the composer is refused with the reason', async () => {
    await dropOnComposer(
      reception,
      'chart.png',
      'image/png',
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    );
    await expect(reception.locator('.composer [role="alert"]')).toHaveText(
      /web markup \(SVG, HTML or XML\), which cannot be sent/,
    );
    await expect(reception.getByRole('group', { name: 'File to send' })).toHaveCount(0);
  });

  test('the GP sends a PDF back; reception opens it after the warning', async () => {
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    await dropOnComposer(gp, 'call back letter.pdf', 'application/pdf', pdf.toString('latin1'));
    await expect(gp.getByRole('group', { name: 'File to send' })).toContainText('PDF document');
    await gp.getByRole('button', { name: 'Send', exact: true }).click();

    const card = reception.locator('.message-in').last().locator('.file-card');
    await expect(card).toContainText('call back letter.pdf');
    await expect(card).toContainText('PDF document');
    await reception.locator('.message-in').last().getByRole('button', { name: /^Open/ }).click();
    const warning = reception.getByRole('dialog', { name: 'Open in another app?' });
    await expect(warning).toContainText('decrypted copy');
    await warning.getByRole('button', { name: 'Open', exact: true }).click();
    await expect
      .poll(() => harness.openedFiles('reception'))
      .toEqual([{ name: 'call back letter.pdf', size: pdf.length }]);
  });

  test('sent while the relay is down, a file waits as uploading and goes once it is back', async () => {
    await harness.relay('stop');
    await expect(reception.locator('.topbar .connection')).not.toHaveText('Connected');
    await harness.chooseFile('reception', fileOnDisk('wound photo.png', png(60, 40)));
    await reception.getByRole('button', { name: /^Attach/ }).click();
    await expect(reception.getByRole('group', { name: 'File to send' })).toBeVisible();
    await reception.getByRole('button', { name: 'Send', exact: true }).click();
    await reception
      .getByRole('dialog', { name: 'Does this show patient details?' })
      .getByRole('button', { name: 'Yes, it shows patient details' })
      .click();
    const sent = reception.locator('.message-out').last();
    await expect(sent.locator('.attachment')).toHaveAttribute('data-attachment-state', 'uploading');
    await expect(sent.locator('.attachment-progress')).toContainText('Uploading');
    await expect(sent.locator('[data-status]')).toHaveAttribute('data-status', 'pending');

    await harness.relay('start');
    await expect(sent.locator('.attachment')).toHaveAttribute('data-attachment-state', 'uploaded', {
      timeout: 60_000,
    });
    await expect(sent.locator('.attachment-progress')).toHaveCount(0);
    await expect(gp.getByRole('img', { name: 'PNG image: wound photo.png' })).toBeVisible({
      timeout: 60_000,
    });
  });

  test('an upload can be cancelled: the message shows it, and Retry sends the file', async () => {
    await harness.relay('stop');
    await expect(reception.locator('.topbar .connection')).not.toHaveText('Connected');
    await harness.chooseFile('reception', fileOnDisk('dressing photo.png', png(50, 30)));
    await reception.getByRole('button', { name: /^Attach/ }).click();
    await reception.getByRole('button', { name: 'Send', exact: true }).click();
    await reception
      .getByRole('dialog', { name: 'Does this show patient details?' })
      .getByRole('button', { name: 'No patient details' })
      .click();
    const sent = reception.locator('.message-out').last();
    await expect(sent.locator('.attachment')).toHaveAttribute('data-attachment-state', 'uploading');
    await sent.getByRole('button', { name: /^Cancel/ }).click();
    await expect(sent.locator('.attachment')).toHaveAttribute('data-attachment-state', 'failed');
    await expect(sent.locator('[data-status]')).toHaveAttribute('data-status', 'failed');
    await expect(sent).toContainText('Upload cancelled');

    await harness.relay('start');
    await sent.getByRole('button', { name: /^Retry/ }).click();
    await expect(sent.locator('.attachment')).toHaveAttribute('data-attachment-state', 'uploaded', {
      timeout: 60_000,
    });
    await expect(gp.getByRole('img', { name: 'PNG image: dressing photo.png' })).toBeVisible({
      timeout: 60_000,
    });
  });

  test('reception sends a file marked urgent; the GP sees it marked and opens it', async () => {
    await harness.chooseFile('reception', fileOnDisk(urgentFile.name, urgentFile.bytes));
    await reception.getByRole('button', { name: /^Attach/ }).click();
    await expect(reception.getByRole('group', { name: 'File to send' })).toContainText(
      'PDF document',
    );
    // Ticked once the file waits in the preview, as a user marks it before pressing Send.
    const urgent = reception.getByLabel('Mark as urgent');
    await expect(urgent).toBeEnabled();
    await urgent.check();
    await reception.getByLabel('Message', { exact: true }).fill(urgentFile.caption);
    await reception.getByRole('button', { name: 'Send', exact: true }).click();
    const sent = reception.locator('.message-out').last();
    await expect(sent.locator('.file-card')).toContainText(urgentFile.name);
    await expect(sent.locator('.tag-urgent')).toHaveText('Urgent');
    // The next message is not urgent unless marked again.
    await expect(urgent).not.toBeChecked();

    const received = gp.locator('.message-in').last();
    await expect(received.locator('.file-card')).toContainText(urgentFile.name);
    await expect(received).toHaveClass(/message-urgent/);
    await expect(received.locator('.tag-urgent')).toHaveText('Urgent');
    await expect(received).toHaveAttribute('aria-label', /, urgent$/);
    await expect(received.locator('.message-text')).toHaveText(urgentFile.caption);
    await received.getByRole('button', { name: /^Open/ }).click();
    await gp
      .getByRole('dialog', { name: 'Open in another app?' })
      .getByRole('button', { name: 'Open', exact: true })
      .click();
    await expect
      .poll(() => harness.openedFiles('gp'))
      .toEqual([{ name: urgentFile.name, size: urgentFile.bytes.length }]);
  });

  test('the GP answers it with a file; reception sees the quote with the file and views it', async () => {
    const urgentMessage = gp.locator('.message-in', { hasText: urgentFile.caption });
    await urgentMessage.hover();
    await urgentMessage.getByRole('button', { name: /^Reply/ }).click();
    await expect(gp.locator('.reply-preview')).toContainText(
      `Replying to Sam Jones: ${urgentFile.caption}`,
    );
    await harness.chooseFile('gp', fileOnDisk(replyFile.name, replyBytes));
    await gp.getByRole('button', { name: /^Attach/ }).click();
    await expect(gp.getByRole('group', { name: 'File to send' })).toContainText('PNG image');
    await gp.getByLabel('Message', { exact: true }).fill(replyFile.caption);
    await gp.getByRole('button', { name: 'Send', exact: true }).click();
    await gp
      .getByRole('dialog', { name: 'Does this show patient details?' })
      .getByRole('button', { name: 'No patient details' })
      .click();
    // The reply is done once main has the file.
    await expect(gp.locator('.reply-preview')).toHaveCount(0);
    const sent = gp.locator('.message-out').last();
    await expect(sent.locator('.reply-quote')).toContainText(urgentFile.caption);
    await expect(sent.getByRole('img', { name: `PNG image: ${replyFile.name}` })).toBeVisible();

    const received = reception.locator('.message-in').last();
    const quote = received.locator('.reply-quote');
    await expect(quote.locator('.reply-sender')).toHaveText('Sam Jones');
    await expect(quote).toContainText(urgentFile.caption);
    await expect(received.locator('.message-text')).toHaveText(replyFile.caption);
    // Not urgent: only the message it answers was.
    await expect(received.locator('.tag-urgent')).toHaveCount(0);
    const thumbnail = received.getByRole('img', { name: `PNG image: ${replyFile.name}` });
    await expect.poll(() => naturalWidth(thumbnail)).toBe(replyFile.width);
    await received.getByRole('button', { name: 'View full size' }).click();
    const viewer = reception.getByRole('dialog', { name: replyFile.name });
    await expect(viewer.getByRole('img')).toBeVisible();
    await viewer.getByRole('button', { name: 'Close' }).click();
    await expect(viewer).toHaveCount(0);
  });

  test('the GP saves the FHIR file with the file beside it, and again without overwriting', async () => {
    const panel = await gpTranscribes(gp.locator('.message-in', { hasText: urgentFile.caption }));
    const sha256 = sha256Hex(urgentFile.bytes);
    const preview = panel.getByLabel('Record entry preview');
    await expect(preview).toContainText(
      `- ${urgentFile.name} (application/pdf, ${urgentFile.bytes.length} bytes, SHA-256 ${sha256})`,
    );

    const folder = path.join(harness.dataDir, 'profiles', 'gp-files');
    const saveWithFiles = panel.getByRole('button', { name: 'Save FHIR file and attachments…' });
    await saveWithFiles.click();
    const status = panel.getByRole('status').filter({ hasText: 'FHIR file saved' });
    await expect(status).toHaveText(
      new RegExp(
        `^FHIR file saved as record-entry-[\\d-]+\\.json, with ${urgentFile.name} beside it\\.$`,
      ),
    );
    const fileName = /record-entry-[\d-]+\.json/.exec((await status.textContent()) ?? '')![0];
    const fhir = JSON.parse(readFileSync(path.join(folder, fileName), 'utf8')) as {
      text: { div: string };
      payload: Array<{ contentAttachment?: Record<string, unknown> }>;
    };
    const listed = fhir.payload.flatMap((p) => (p.contentAttachment ? [p.contentAttachment] : []));
    expect(listed).toEqual([
      {
        contentType: 'application/pdf',
        data: urgentFile.bytes.toString('base64'),
        size: urgentFile.bytes.length,
        hash: createHash('sha1').update(urgentFile.bytes).digest('base64'),
        title: urgentFile.name,
      },
    ]);
    // R4's hash is SHA-1; the SHA-256 the sender sent is in the entry's narrative.
    expect(fhir.text.div).toContain(`SHA-256 ${sha256}`);
    const beside = path.join(folder, urgentFile.name);
    expect(sha256Hex(readFileSync(beside))).toBe(sha256);
    expect(statSync(beside).mode & 0o777).toBe(0o600);
    const first = statSync(beside);

    // The same folder again (the harness's save dialog always answers it): the file already there
    // is kept as it was, the copy takes the next free name.
    await saveWithFiles.click();
    const copy = `${path.parse(urgentFile.name).name} (1).pdf`;
    await expect(status).toHaveText(
      new RegExp(`, with ${copy.replace(/[()]/g, '\\$&')} beside it\\.$`),
    );
    expect(statSync(beside).mtimeMs).toBe(first.mtimeMs);
    expect(statSync(beside).ino).toBe(first.ino);
    expect(sha256Hex(readFileSync(beside))).toBe(sha256);
    expect(sha256Hex(readFileSync(path.join(folder, copy)))).toBe(sha256);
    expect(statSync(path.join(folder, copy)).mode & 0o777).toBe(0o600);
    await gp.keyboard.press('Escape');
    await expect(panel).toHaveCount(0);
  });

  test('transcribed and deleted now, the screenshot goes from both screens and profiles', async () => {
    const image = (page: Page) => page.getByRole('img', { name: 'PNG image: results screen.png' });
    await expect(image(gp)).toBeVisible();
    const withImage = gp.locator('.message-in', { has: image(gp) });
    const messageId = (await withImage.getAttribute('data-message-id')) ?? '';
    const panel = await gpTranscribes(withImage);
    // The file is listed in the entry: name, type, size and the SHA-256 of its bytes.
    const sha256 = sha256Hex(screenshotPng);
    const preview = panel.getByLabel('Record entry preview');
    await expect(preview).toContainText('Attachments:');
    await expect(preview).toContainText(`- results screen.png (image/png, `);
    await expect(preview).toContainText(`SHA-256 ${sha256})`);
    await panel.getByRole('button', { name: 'Copy entry' }).click();
    await panel.getByLabel('Now (after a 10 second undo window)').check();
    await panel.getByRole('button', { name: 'Entered into the record' }).click();
    await panel.getByRole('button', { name: 'Yes, confirm and delete' }).click();
    await expect(panel.getByText(/Transcription recorded in the audit log/)).toBeVisible({
      timeout: 20_000,
    });
    await panel.getByRole('button', { name: 'Done' }).click();

    await expect(image(gp)).toHaveCount(0);
    await expect(image(reception)).toHaveCount(0);
    for (const window of ['gp', 'reception']) {
      expect((await harness.stored(window, [messageId])).present).toEqual([]);
    }
  });
});
