/**
 * A GP's PC is replaced, as the product supports it: IT revokes the old device (no wipe) and the
 * GP enrols the new PC to the same account. The new PC is a new device with its own key, so for
 * reception it is a notice in the conversation ("Dr Priya Patel added a device: …"), never a
 * changed safety number: reception's next message goes to the new PC without a block, and both
 * sides then show the same (new) safety number. The old PC is told it was revoked.
 *
 * A changed key of a device already known (which only a hostile or broken relay can present, as
 * device numbers are never reused) still blocks sending until acknowledged: the browser cannot
 * produce that honestly, so it is tested in the core with real libsignal
 * (tests/main/core/messaging/own-devices.test.ts).
 */
import { hostname } from 'node:os';
import { expect, test, type Page } from '@playwright/test';
import type { PracticeHarness } from './practice-harness.js';
import { checkScreen, conversationAction, send, startConversation } from './practice-steps.js';
import {
  enrolAnotherGpPc,
  openConversation,
  startReceptionAndGp,
  stopPractice,
  type ReceptionAndGp,
} from './reception-and-gp.js';

let practice: ReceptionAndGp;
let harness: PracticeHarness;
let reception: Page;
let oldGp: Page;
let newGp: Page;
let gpAccountId: string;
let digitsBefore = '';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const lastOut = (page: Page) => page.locator('.message-out').last();

async function safetyDigits(page: Page, peer: string): Promise<string> {
  await conversationAction(page, 'Safety number');
  const dialog = page.getByRole('dialog', { name: new RegExp(`Safety number with ${peer}`) });
  await expect(dialog.locator('.safety-digits li')).toHaveCount(12);
  const digits = (await dialog.locator('.safety-digits li').allTextContents()).join('');
  await expect(dialog).not.toContainText('safety number has changed');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  expect(digits).toMatch(/^\d{60}$/);
  return digits;
}

test.describe.serial('a replaced PC is a new device: a notice, not a block', () => {
  test.beforeAll(async ({ browser }) => {
    practice = await startReceptionAndGp(browser, { window: 'gp', passcode: 'consulting-room-7' }, [
      'gp-new-pc',
    ]);
    ({ harness, reception, gp: oldGp, gpAccountId } = practice);
  });

  test.afterAll(async () => {
    await stopPractice(harness, [reception, oldGp, newGp]);
  });

  test("reception and the GP talk on the GP's old PC", async () => {
    await startConversation(reception, 'Dr Priya Patel');
    await send(reception, 'Can you ring the pharmacy about the warfarin query?');
    await expect(lastOut(reception).locator('.status')).toHaveAttribute('data-status', 'delivered');
    digitsBefore = await safetyDigits(reception, 'Dr Priya Patel');
  });

  test('IT revokes the old PC and the GP enrols the new one to the same account', async ({
    browser,
  }) => {
    expect(await harness.revoke(gpAccountId, { wipe: false, deviceId: 1 })).toBe(1);
    await expect(oldGp.getByRole('alert')).toContainText('Your practice revoked this device');
    await expect(oldGp.getByText('Not connected: see the message below')).toBeVisible();
    await checkScreen(oldGp, 'device-revoked');

    newGp = await enrolAnotherGpPc(browser, practice, 'gp-new-pc', 'new-consulting-pc-8');
    await expect(newGp.getByText('Dr Priya Patel · Clinician')).toBeVisible();
  });

  test("reception's next message reaches the new PC, with an added-device notice and no block", async () => {
    await send(reception, 'Please also check her INR result from Tuesday');
    await expect(lastOut(reception).locator('.status')).toHaveAttribute(
      'data-status',
      /sent|delivered|read/,
    );
    // The app names a PC after its host name unless told otherwise (enrolment's deviceName).
    await expect(reception.locator('.notice-row')).toHaveText(
      new RegExp(
        `^Notice from Practice Messenger: Dr Priya Patel added a device: ${escapeRegExp(hostname())} \\d\\d:\\d\\d$`,
      ),
    );
    await expect(reception.locator('.identity-banner')).toHaveCount(0);
    await expect(reception.locator('.message-failure')).toHaveCount(0);
    await checkScreen(reception, 'device-added-notice');

    await openConversation(newGp, /Sam Jones/);
    await expect(newGp.locator('.message-in .message-text').last()).toHaveText(
      'Please also check her INR result from Tuesday',
    );
    await expect(lastOut(reception).locator('.status')).toHaveAttribute(
      'data-status',
      /delivered|read/,
    );
  });

  test('both sides show the same safety number, which changed with the device', async () => {
    const receptionDigits = await safetyDigits(reception, 'Dr Priya Patel');
    expect(receptionDigits).not.toBe(digitsBefore);
    expect(await safetyDigits(newGp, 'Sam Jones')).toBe(receptionDigits);

    await send(newGp, 'Done, INR is 2.4');
    await expect(reception.locator('.message-in .message-text').last()).toHaveText(
      'Done, INR is 2.4',
    );
    await send(reception, 'Thanks, and welcome to the new PC');
    await expect(newGp.locator('.message-in .message-text').last()).toHaveText(
      'Thanks, and welcome to the new PC',
    );
    await expect(reception.locator('.identity-banner')).toHaveCount(0);
  });
});
