/**
 * Transcribe, attribute, then delete (DOMAIN.md), end to end in the browser: reception asks, the
 * GP answers, selects both messages, fills in the patient (an invalid NHS number is caught as it
 * is typed), copies the entry and saves the FHIR file, and confirms "delete now" (not the default): the
 * confirmation names how many messages go from how many devices, Undo inside the 10 s window
 * keeps everything, and after the window the originals vanish from both people's screens AND
 * from both profile databases (asked of the repositories through the harness), a marker stands
 * in their place on both screens (after lock and unlock too), and the audit entry stays. Then the practice manager
 * is refused a transcription that would delete reception's message (not a clinical role), the GP
 * transcribes with a later deletion, the manager exports a conversation for a Subject Access Request (a wrong
 * passcode is refused), and reads the audit log, which reception is not offered and is refused:
 * the whole practice's trail (the GP's transcription from the GP's device, the relay's own
 * records, filtered by person and kind, the chain verified, then broken once a record is removed
 * from the relay database) and this device's own log.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import path from 'node:path';
import type { MessengerApi } from '../../shared/ipc/messenger-api.js';
import type { Role } from '../../shared/protocol/limits.js';
import { relayDatabaseFile } from '../../server/storage/sqlite-relay-storage.js';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import {
  checkScreen,
  conversationAction,
  firstRun,
  send,
  startConversation,
} from './practice-steps.js';

const staff = {
  reception: { name: 'Sam Jones', role: 'reception', passcode: 'desk-passcode-1' },
  gp: { name: 'Dr Priya Patel', role: 'clinician', passcode: 'consulting-room-7' },
  manager: { name: 'Karen Hughes', role: 'manager', passcode: 'managers-office-3' },
} as const satisfies Record<string, { name: string; role: Role; passcode: string }>;
type Window = keyof typeof staff;

const question = 'Mr B asks if he can take ibuprofen with his new blood pressure tablets';
const advice =
  'Yes for up to 3 days, lowest dose with food. Stop and book a review if ankles swell.';

let harness: PracticeHarness;
const pages = {} as Record<Window, Page>;

async function openPage(browser: Browser, window: Window): Promise<Page> {
  // A UK practice PC: dates in date fields read dd/mm/yyyy.
  const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
  await page.goto(harness.windows[window]!);
  const member = staff[window];
  const code = await harness.issueEnrolmentCode(member.name, member.role);
  await firstRun(
    page,
    { name: member.name, passcode: member.passcode, code, relayUrl: harness.relayUrl },
    null,
  );
  return page;
}

function conversationWith(page: Page, name: string) {
  return page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: new RegExp(name) });
}

const messageIds = (page: Page) =>
  page
    .locator('.message')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-message-id') ?? ''));

/** The files a window saved (the harness's stand-in for the folder the user picks). */
function savedFiles(window: Window): string[] {
  const folder = path.join(harness.dataDir, 'profiles', `${window}-files`);
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

test.describe.serial('transcription, audit and SAR export', () => {
  test.beforeAll(async ({ browser }) => {
    harness = await startPracticeHarness(['--windows', 'reception,gp,manager', '--allow-export']);
    for (const window of Object.keys(staff) as Window[]) {
      pages[window] = await openPage(browser, window);
    }
  });

  test.afterAll(async () => {
    for (const page of Object.values(pages)) await page.context().close();
    await harness?.stop();
  });

  test('reception asks and the GP answers', async () => {
    const { reception, gp } = pages;
    await startConversation(reception, staff.gp.name);
    await send(reception, question);
    await conversationWith(gp, staff.reception.name).click();
    await expect(gp.locator('.message-in .message-text').last()).toHaveText(question);
    await send(gp, advice);
    await expect(reception.locator('.message-in .message-text').last()).toHaveText(advice);
  });

  test('the GP transcribes both messages, copies the entry and saves the FHIR file', async () => {
    const { gp } = pages;
    await conversationAction(gp, 'Select messages to transcribe');
    const bar = gp.getByRole('region', { name: 'Messages to transcribe' });
    await expect(bar.getByRole('button', { name: 'Transcribe selected' })).toBeDisabled();
    // By keyboard: the checkboxes and the bar's buttons take focus like any other control.
    await gp.getByLabel(/Select message from Sam Jones/).focus();
    await gp.keyboard.press('Space');
    await gp.getByLabel(/Select message from You/).focus();
    await gp.keyboard.press('Space');
    await expect(bar).toContainText('2 messages selected');
    await bar.getByRole('button', { name: 'Transcribe selected' }).focus();
    await gp.keyboard.press('Enter');

    const panel = gp.getByRole('dialog', { name: 'Transcribe into the patient record' });
    await expect(panel.getByLabel('Advice', { exact: true })).toHaveValue(
      /\d\d:\d\d Sam Jones \(Reception\): Mr B asks[\s\S]*\n\d\d:\d\d Dr Priya Patel \(Clinician\): Yes for up to 3 days/,
    );
    await expect(panel.getByLabel('Transcribed by')).toHaveValue('Dr Priya Patel (Clinician)');
    await expect(panel.getByLabel('Transcribed by')).toHaveAttribute('readonly', '');
    const askedBy = panel.getByRole('group', { name: 'Asked by' });
    await expect(askedBy.getByLabel('Name')).toHaveValue('Sam Jones');

    const nhsNumber = panel.getByLabel('NHS number');
    await nhsNumber.fill('943 476 5918');
    await expect(panel.getByText(/check digit does not match/)).toBeVisible();
    await expect(nhsNumber).toHaveAttribute('aria-invalid', 'true');
    await expect(panel.getByRole('button', { name: 'Copy entry' })).toBeDisabled();
    await expect(panel.getByRole('button', { name: 'Entered into the record' })).toBeDisabled();
    // Main's own validation agrees, in the preview's list of what is missing.
    await expect(panel.locator('.entry-missing')).toContainText(
      'The patient NHS number is not valid',
    );
    await checkScreen(gp, 'transcription-invalid-nhs-number');

    await nhsNumber.fill('943 476 5919');
    await expect(panel.getByText(/check digit does not match/)).toHaveCount(0);
    await panel.getByRole('group', { name: 'Advice given by' }).getByLabel('Role').fill('GP');
    await panel
      .getByLabel('Actions (optional)')
      .fill('Patient told to book a review if ankles swell');
    const preview = panel.getByLabel('Record entry preview');
    await expect(preview).toContainText('Patient NHS number: 943 476 5919');
    await expect(preview).toContainText('Advice given by: Dr Priya Patel (GP)');
    // The role edited in the panel is used on every line: the quote and the transcriber too.
    await expect(preview).toContainText('Dr Priya Patel (GP): Yes for up to 3 days');
    await expect(preview).toContainText('Transcribed by: Dr Priya Patel (GP)');
    await expect(preview).not.toContainText('(Clinician)');
    await panel.evaluate((dialog) => dialog.scrollTo(0, 0));
    await checkScreen(gp, 'transcription-panel');

    await panel.getByRole('button', { name: 'Copy entry' }).click();
    await expect(panel.getByRole('status').filter({ hasText: 'Entry copied' })).toContainText(
      /cleared from the clipboard at \d\d:\d\d/,
    );
    const copied = await harness.clipboard('gp');
    expect(copied).toBe(await preview.textContent());
    expect(copied).toContain('Dr Priya Patel (GP): Yes for up to 3 days');

    await panel.getByRole('button', { name: 'Save FHIR file…' }).click();
    const saved = panel.getByText(/FHIR file saved as record-entry-[\d-]+\.json/);
    await expect(saved).toBeVisible();
    const fileName = /record-entry-[\d-]+\.json/.exec((await saved.textContent()) ?? '')![0];
    const fhir = JSON.parse(
      readFileSync(path.join(harness.dataDir, 'profiles', 'gp-files', fileName), 'utf8'),
    ) as { resourceType: string; subject: { identifier: { value: string } } };
    expect(fhir.resourceType).toBe('Communication');
    expect(fhir.subject.identifier.value).toBe('9434765919');
  });

  test('confirming "delete now" asks how many messages from how many devices, can be undone, then leaves a marker on both screens', async () => {
    const { gp, reception } = pages;
    const ids = await messageIds(gp);
    expect(ids).toHaveLength(2);
    expect(await messageIds(reception)).toEqual(ids);

    const panel = gp.getByRole('dialog', { name: 'Transcribe into the patient record' });
    // The default is not "delete everywhere now".
    await expect(panel.getByLabel('At a later time (at most 30 days)')).toBeChecked();
    await panel.getByLabel('Now (after a 10 second undo window)').check();
    await panel.getByRole('button', { name: 'Entered into the record' }).click();
    await expect(panel.getByRole('status').filter({ hasText: 'This deletes' })).toHaveText(
      /This deletes 2 messages \(1 written by someone else\) from 2 devices: this computer and 1 device of Sam Jones/,
    );
    await panel.getByRole('button', { name: 'Yes, confirm and delete' }).click();
    await expect(panel.getByRole('timer')).toContainText(/deleted on every device in \d+ s/);
    await panel.getByRole('button', { name: 'Undo' }).click();
    await expect(panel.getByText(/Undone: nothing was deleted/)).toBeVisible();
    expect(await messageIds(reception)).toEqual(ids);
    expect((await harness.stored('gp', ids)).present).toEqual(ids);

    await panel.getByRole('button', { name: 'Entered into the record' }).click();
    await panel.getByRole('button', { name: 'Yes, confirm and delete' }).click();
    await expect(panel.getByText(/Transcription recorded in the audit log/)).toBeVisible({
      timeout: 20_000,
    });
    await expect(panel).toContainText('deleted on every device');
    await checkScreen(gp, 'transcription-done');
    await panel.getByRole('button', { name: 'Done' }).click();

    await expect(gp.locator('.message')).toHaveCount(0);
    await expect(reception.locator('.message')).toHaveCount(0);
    // A marker in their place on both screens, not a silent vanish.
    const marker =
      /2 messages transcribed into the record by Dr Priya Patel at \d\d:\d\d on \d\d-\w{3}-\d{4} and deleted\./;
    await expect(gp.locator('.notice-row')).toContainText(marker);
    await expect(reception.locator('.notice-row')).toContainText(marker);
    await checkScreen(reception, 'conversation-emptied-by-transcription');

    const onGp = await harness.stored('gp', ids);
    expect(onGp.present).toEqual([]);
    expect(onGp.tombstoned).toEqual(ids);
    expect(onGp.audit).toContainEqual({ action: 'transcription.confirmed', messageIds: ids });
    expect(onGp.audit).toContainEqual({ action: 'transcription.undone', messageIds: ids });
    await expect.poll(async () => (await harness.stored('reception', ids)).present).toEqual([]);
    expect((await harness.stored('reception', ids)).tombstoned).toEqual(ids);
  });

  test('after lock and unlock the marker is still where the messages were', async () => {
    const marker = /2 messages transcribed into the record by Dr Priya Patel/;
    const peers = { reception: staff.gp.name, gp: staff.reception.name };
    for (const window of ['reception', 'gp'] as const) {
      const page = pages[window];
      await page.getByRole('button', { name: 'Lock' }).click();
      await expect(
        page.getByRole('heading', { name: 'Practice Messenger is locked' }),
      ).toBeVisible();
      await page.getByLabel('Passcode').fill(staff[window].passcode);
      await page.getByRole('button', { name: 'Unlock' }).click();
      // Everything on screen was dropped at lock: this comes from the profile database.
      await conversationWith(page, peers[window]).click();
      await expect(page.locator('.notice-row')).toContainText(marker);
    }
  });

  test('the audit log is not offered to reception or the GP, and main refuses it', async () => {
    for (const page of [pages.reception, pages.gp]) {
      await expect(page.getByRole('navigation', { name: 'App' })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Audit log' })).toHaveCount(0);
    }
    const answer = await pages.reception.evaluate(() =>
      (globalThis as unknown as { messenger: MessengerApi }).messenger.audit.list({}),
    );
    expect(answer.ok ? 'allowed' : answer.error.code).toBe('forbidden');
  });

  test("the practice manager may not confirm a transcription that deletes reception's message", async () => {
    const { reception, manager } = pages;
    await startConversation(reception, staff.manager.name);
    await send(reception, 'Mrs C rang: her repeat prescription request was lost, please call her');
    await conversationWith(manager, staff.reception.name).click();
    const incoming = manager.locator('.message-in').last();
    await incoming.hover();
    await incoming.getByRole('button', { name: /Transcribe…/ }).click();
    await expect(manager.getByText('1 message selected.')).toBeVisible();
    await manager.getByRole('button', { name: 'Transcribe selected' }).click();

    const panel = manager.getByRole('dialog', { name: 'Transcribe into the patient record' });
    await panel.getByLabel('NHS number').fill('999 000 0018');
    // No clinician wrote in the selection: nobody is proposed, and nothing can be confirmed
    // until the manager says who gave the advice.
    await expect(panel.getByText(/No clinician wrote in the selected messages/)).toBeVisible();
    await expect(panel.locator('.entry-missing')).toContainText('Choose who gave the advice');
    await expect(panel.getByRole('button', { name: 'Entered into the record' })).toBeDisabled();
    await panel.getByLabel('Who gave the advice').selectOption({ label: 'Sam Jones (Reception)' });
    await expect(panel.getByLabel('Record entry preview')).toContainText('999 000 0018');
    // Not copied or saved yet: not offered until the tick.
    await expect(panel.getByRole('button', { name: 'Entered into the record' })).toBeDisabled();
    await panel.getByRole('button', { name: 'Copy entry' }).click();
    await panel.getByRole('button', { name: 'Entered into the record' }).click();
    await expect(panel.getByRole('alert')).toContainText(
      'Only a clinician, nurse or pharmacist can confirm a transcription that deletes other people',
    );
    await expect(panel.getByRole('button', { name: 'Yes, confirm and delete' })).toHaveCount(0);
    await panel.getByRole('button', { name: 'Back' }).click();
    await manager.keyboard.press('Escape');
    await expect(manager.locator('.message-in')).toHaveCount(1);
  });

  test('the GP transcribes with a later deletion (entered another way); both see it marked', async () => {
    const { reception, gp } = pages;
    await conversationWith(reception, staff.gp.name).click();
    await send(reception, 'Mrs D asks whether to keep taking her statin during the antibiotics');
    await conversationWith(gp, staff.reception.name).click();
    const incoming = gp.locator('.message-in').last();
    await incoming.hover();
    await incoming.getByRole('button', { name: /Transcribe…/ }).click();
    await gp.getByRole('button', { name: 'Transcribe selected' }).click();
    const panel = gp.getByRole('dialog', { name: 'Transcribe into the patient record' });
    await panel.getByLabel('NHS number').fill('999 000 0018');
    // The GP answered by phone: only reception wrote, so the GP names who gave the advice.
    await panel
      .getByLabel('Who gave the advice')
      .selectOption({ label: `${staff.gp.name} (Clinician)` });
    await expect(panel.getByLabel('Delete the originals at')).toHaveValue(/T18:00$/);
    await expect(panel.getByLabel('Record entry preview')).toContainText(
      'Original messages: to be deleted',
    );
    await expect(panel.getByRole('button', { name: 'Entered into the record' })).toBeDisabled();
    await panel.getByLabel(/I have entered it another way/).check();
    await panel.getByRole('button', { name: 'Entered into the record' }).click();
    await panel.getByRole('button', { name: 'Yes, confirm and delete' }).click();
    await expect(panel).toContainText('will be deleted on every device at', { timeout: 20_000 });
    await panel.getByRole('button', { name: 'Done' }).click();

    const marker = /Transcribed by Dr Priya Patel at .+ — deleted everywhere at .+18:00/;
    await expect(gp.locator('.message-in .transcribed-marker')).toHaveText(marker);
    await expect(reception.locator('.message-out .transcribed-marker')).toHaveText(marker);
    await checkScreen(reception, 'conversation-transcribed-later');
  });

  test('SAR export: a wrong passcode is refused, the right one writes HTML and JSON', async () => {
    const { manager } = pages;
    await conversationAction(manager, 'Export for SAR…');
    const dialog = manager.getByRole('dialog', { name: /Export for a Subject Access Request/ });
    await dialog.getByLabel('SAR reference (optional)').fill('SAR-2026-014');
    await dialog.getByLabel('Your passcode').fill('not-my-passcode');
    await checkScreen(manager, 'export-dialog');
    await dialog.getByRole('button', { name: 'Export conversation…' }).click();
    await expect(dialog.getByRole('alert')).toContainText(/passcode/i);
    expect(savedFiles('manager')).toEqual([]);

    await dialog.getByLabel('Your passcode').fill(staff.manager.passcode);
    await dialog.getByRole('button', { name: 'Export conversation…' }).click();
    await expect(dialog.getByText('Exported 1 message.')).toBeVisible();
    const listed = await dialog.locator('.export-files li').allTextContents();
    expect(listed).toHaveLength(2);
    expect(savedFiles('manager')).toEqual([...listed].sort());
    await checkScreen(manager, 'export-done');
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  test("the practice manager reads the whole practice's trail: the GP's transcription, the chain verified", async () => {
    const { manager } = pages;
    await manager.getByRole('button', { name: 'Audit log' }).click();
    const dialog = manager.getByRole('dialog', { name: 'Audit log' });
    await expect(dialog.getByLabel(/The whole practice/)).toBeChecked();
    const rows = dialog.locator('tbody tr');
    // The GP's device sends its events every few seconds: Refresh until they are there.
    const gpConfirmed = rows
      .filter({ hasText: 'Entered advice into a patient record' })
      .filter({ hasText: `${staff.gp.name} (Clinician)` });
    await expect(async () => {
      await dialog.getByRole('button', { name: 'Refresh' }).click();
      await expect(gpConfirmed.first()).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await expect(dialog.getByRole('status')).toContainText(/Chain verified: \d+ records/);
    // The relay's own records are in the same trail.
    await expect(dialog).toContainText(`${staff.gp.name}'s device 1 enrolled`);
    // Newest first.
    const seqs = (await rows.evaluateAll((r) => r.map((row) => Number(row.dataset.seq)))) ?? [];
    expect(seqs.length).toBeGreaterThan(5);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    // Never message text or a raw NHS number.
    for (const text of ['ibuprofen', 'prescription', 'statin', '943 476 5919', '999 000 0018']) {
      await expect(dialog).not.toContainText(text);
    }
    await checkScreen(manager, 'audit-log-practice');

    // By person: only what the GP did, or what the relay recorded about the GP's device.
    await dialog.getByLabel('Who', { exact: true }).selectOption({ label: staff.gp.name });
    await expect(rows.filter({ hasNotText: staff.gp.name })).toHaveCount(0);
    await expect(gpConfirmed.first()).toBeVisible();
    await expect(dialog).not.toContainText(`${staff.reception.name}'s device 1 enrolled`);
    // And by kind.
    await dialog
      .getByLabel('What', { exact: true })
      .selectOption({ label: 'Transcription undone' });
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('Undid a transcription confirmation');
    await checkScreen(manager, 'audit-log-practice-filtered');
    await dialog.getByLabel('Who', { exact: true }).selectOption({ label: 'Everyone' });
    await dialog.getByLabel('What', { exact: true }).selectOption({ label: 'Everything' });
    await expect(rows.filter({ hasText: staff.reception.name }).first()).toBeVisible();
    // By patient: a mistyped NHS number is caught, not shown as "no entries"; the right one is
    // hashed under the practice's patient key, so the GP's entries from the GP's PC match.
    const patient = dialog.getByLabel("Patient's NHS number");
    await patient.fill('999 000 0019');
    await expect(dialog.getByText(/the check digit does not match/)).toBeVisible();
    await expect(rows).toHaveCount(0);
    await patient.fill('999 000 0018');
    // The GP's PC shares the key with the manager's when it next syncs: Refresh until then.
    const gpConfirmedForPatient = rows
      .filter({ hasText: 'Entered advice into a patient record' })
      .filter({ hasText: `${staff.gp.name} (Clinician)` });
    await expect(async () => {
      await dialog.getByRole('button', { name: 'Refresh' }).click();
      await expect(gpConfirmedForPatient.first()).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    await expect(rows.filter({ hasText: 'Karen Hughes' }).first()).toBeVisible();
    await expect(rows.filter({ hasNotText: /Patient ref\. [0-9A-F]{4} [0-9A-F]{4}/ })).toHaveCount(
      0,
    );
    await expect(dialog).toContainText('entries from every clinical PC match');
    const found = await rows.count();
    // The manager rotates the key: the entries made before it are still found.
    await dialog.getByRole('button', { name: 'Rotate patient key' }).click();
    await dialog.getByRole('button', { name: 'Rotate now' }).click();
    await expect(
      dialog.getByText(/Patient key rotated: the practice now uses version 2/),
    ).toBeVisible();
    await expect(async () => {
      await dialog.getByRole('button', { name: 'Refresh' }).click();
      await expect(
        rows.filter({ hasText: "Rotated the practice's patient-reference key" }),
      ).toHaveCount(0);
      expect(await rows.count()).toBeGreaterThanOrEqual(found);
      await expect(gpConfirmedForPatient.first()).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await checkScreen(manager, 'audit-log-practice-patient');
    await patient.fill('');
    await expect(rows.filter({ hasText: staff.reception.name }).first()).toBeVisible();
    await manager.keyboard.press('Escape');
  });

  test('the practice manager reads the audit log, newest first, without message text', async () => {
    const { manager } = pages;
    await manager.getByRole('button', { name: 'Audit log' }).click();
    const dialog = manager.getByRole('dialog', { name: 'Audit log' });
    await dialog.getByLabel('This device only').check();
    const rows = dialog.locator('tbody tr');
    // Newest first: the key rotation of the test before, then the export.
    await expect(rows.first()).toContainText("Rotated the practice's patient-reference key");
    await expect(rows.nth(1)).toContainText(
      'Exported the conversation for a Subject Access Request (reference SAR-2026-014)',
    );
    await expect(rows.nth(1)).toContainText('Karen Hughes (Practice manager)');
    await expect(dialog).toContainText('Copied a record entry to paste into a patient record');
    await expect(dialog).toContainText(/Patient ref\. [0-9A-F]{4} [0-9A-F]{4}/);
    await expect(dialog).not.toContainText('prescription');
    await expect(dialog).not.toContainText('999 000 0018');
    await checkScreen(manager, 'audit-log');
    await manager.keyboard.press('Escape');
  });

  test('a record removed from the relay database shows as the chain broken at that point', async () => {
    const { manager } = pages;
    // What someone with the relay's disk could do: delete one of the GP's records.
    const db = new Database(path.join(harness.dataDir, 'relay', relayDatabaseFile));
    let removed: number;
    try {
      const rows = db.prepare('SELECT seq FROM audit_trail ORDER BY seq').all() as {
        seq: number;
      }[];
      removed = rows[2]!.seq;
      db.prepare('DELETE FROM audit_trail WHERE seq = ?').run(removed);
    } finally {
      db.close();
    }
    const next = removed + 1;
    await manager.getByRole('button', { name: 'Audit log' }).click();
    const dialog = manager.getByRole('dialog', { name: 'Audit log' });
    await dialog.getByLabel(/The whole practice/).check();
    await expect(dialog.getByRole('alert')).toContainText(/Chain broken at record \d+/);
    const brokenAt = Number(
      /Chain broken at record (\d+)/.exec(
        (await dialog.getByRole('alert').textContent()) ?? '',
      )?.[1],
    );
    // The first record after the gap (seqs of one practice are consecutive here).
    expect(brokenAt).toBe(next);
    await checkScreen(manager, 'audit-log-practice-broken');
  });

  test("subject access by patient: that patient's messages only, with the practice audit entries", async () => {
    const { reception, manager } = pages;
    await conversationWith(reception, staff.manager.name).click();
    // The dialog of the test before is still open on the manager's screen.
    await manager.keyboard.press('Escape');
    // Each names a patient: the PID guard asks, and reception sends anyway.
    for (const text of [
      'Patient 943 476 5919 asks for a sick note from last week',
      'And 999 000 0018 wants a call back about the blood results',
    ]) {
      const composer = reception.getByLabel('Message', { exact: true });
      await composer.fill(text);
      await composer.press('Enter');
      await reception.getByRole('button', { name: 'Send anyway' }).click();
      await expect(reception.locator('.message-out .message-text').last()).toHaveText(text);
    }
    await conversationWith(manager, staff.reception.name).click();
    await expect(manager.locator('.message-in .message-text').last()).toHaveText(
      'And 999 000 0018 wants a call back about the blood results',
    );
    await manager.getByRole('button', { name: 'Audit log' }).click();
    const dialog = manager.getByRole('dialog', { name: 'Audit log' });
    await dialog.getByLabel('Subject access by patient (export)').check();
    const before = savedFiles('manager');
    const nhs = dialog.getByLabel("Patient's NHS number");
    await nhs.fill('999 000 0019');
    await expect(dialog.getByText(/the check digit does not match/)).toBeVisible();
    // A valid number nobody wrote about: a failure, never "Exported 0 messages".
    await nhs.fill('401 023 2137');
    await dialog.getByLabel('Your passcode').fill(staff.manager.passcode);
    await dialog.getByRole('button', { name: "Export this patient's messages…" }).click();
    await expect(dialog.getByRole('alert')).toContainText('No message on this device mentions');
    expect(savedFiles('manager')).toEqual(before);

    await nhs.fill('999 000 0018');
    await dialog.getByLabel('Your passcode').fill(staff.manager.passcode);
    await dialog.getByLabel('SAR reference (optional)').fill('SAR-2026-021');
    await dialog.getByRole('button', { name: "Export this patient's messages…" }).click();
    await expect(dialog.getByRole('status')).toContainText(
      /Exported 2 messages from 1 conversation, and \d+ practice audit entries/,
    );
    await checkScreen(manager, 'audit-log-patient-export');
    const written = savedFiles('manager').filter((f) => !before.includes(f));
    expect(written.filter((f) => f.endsWith('.html'))).toHaveLength(1);
    const folder = path.join(harness.dataDir, 'profiles', 'manager-files');
    const text = written.map((f) => readFileSync(path.join(folder, f), 'utf8')).join('\n');
    expect(text).toContain('call back about the blood results');
    expect(text).toContain('her repeat prescription request was lost');
    // Another patient's message in the same conversation is not disclosed.
    expect(text).not.toContain('sick note');
    expect(text).not.toMatch(/943 ?476 ?5919/);
    // The practice's entries about the patient, the GP's among them, and the number not in them.
    const auditFile = written.find((f) => f.endsWith('-practice-audit.json'))!;
    const audit = JSON.parse(readFileSync(path.join(folder, auditFile), 'utf8')) as {
      entries: { action: string; accountId: string }[];
    };
    expect(audit.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['transcription.copied', 'transcription.confirmed']),
    );
    expect(readFileSync(path.join(folder, auditFile), 'utf8')).not.toMatch(/999 ?000 ?0018/);
    // The export is in the practice trail.
    await dialog.getByLabel(/The whole practice/).check();
    await dialog
      .getByLabel('What', { exact: true })
      .selectOption({ label: 'Conversation exported (SAR)' });
    await expect(dialog.locator('tbody tr').first()).toContainText('SAR-2026-021');
    await manager.keyboard.press('Escape');
  });
});
