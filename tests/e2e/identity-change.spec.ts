/**
 * A GP's PC is re-imaged: IT revokes the old device (no wipe), the GP enrols the new install, and
 * the relay presents it under the old PC's device number, so a device reception already knows
 * has another key (a new device number alone would be a notice, not a block: own-devices tests).
 * Its safety number changes. Reception's next message fails with the reason
 * beside Retry; the identity-changed banner blocks sending until reception views the safety
 * number and acknowledges it; then Retry delivers the failed message (its reason cleared) and
 * sending works again. The old PC is told it was revoked.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import { checkScreen, firstRun, send, conversationAction } from './practice-steps.js';

let harness: PracticeHarness;
let reception: Page;
let oldGp: Page;
let newGp: Page;
let gpAccountId: string;
let acknowledgedDigits = '';

async function openWindow(browser: Browser, window: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(harness.windows[window]!);
  return page;
}

const lastOut = (page: Page) => page.locator('.message-out').last();

test.describe.serial('identity change and a failed message', () => {
  test.beforeAll(async ({ browser }) => {
    harness = await startPracticeHarness(['--windows', 'reception,gp,gp-new-pc']);
    const receptionCode = await harness.issueEnrolmentCode('Sam Jones', 'reception');
    const gp = await harness.issueEnrolment('Dr Priya Patel', 'clinician');
    gpAccountId = gp.accountId;
    reception = await openWindow(browser, 'reception');
    await firstRun(
      reception,
      {
        name: 'Sam Jones',
        passcode: 'desk-passcode-1',
        code: receptionCode,
        relayUrl: harness.relayUrl,
      },
      null,
    );
    oldGp = await openWindow(browser, 'gp');
    await firstRun(
      oldGp,
      {
        name: 'Dr Priya Patel',
        passcode: 'consulting-room-7',
        code: gp.code,
        relayUrl: harness.relayUrl,
      },
      null,
    );
  });

  test.afterAll(async () => {
    for (const page of [reception, oldGp, newGp]) await page?.context().close();
    await harness?.stop();
  });

  test("reception and the GP talk on the GP's old PC", async () => {
    await reception.getByRole('button', { name: 'New conversation' }).click();
    await reception
      .getByRole('dialog', { name: 'New conversation' })
      .getByRole('button', { name: /Dr Priya Patel/ })
      .click();
    await send(reception, 'Can you ring the pharmacy about the warfarin query?');
    await expect(lastOut(reception).locator('.status')).toHaveAttribute('data-status', 'delivered');
  });

  test('IT revokes the old PC and re-images it: the new install takes its device number', async ({
    browser,
  }) => {
    expect(await harness.revoke(gpAccountId, { wipe: false, deviceId: 1 })).toBe(1);
    await expect(oldGp.getByRole('alert')).toContainText('Your practice revoked this device');
    await expect(oldGp.getByText('Not connected: see the message below')).toBeVisible();
    await checkScreen(oldGp, 'device-revoked');

    newGp = await openWindow(browser, 'gp-new-pc');
    await firstRun(
      newGp,
      {
        name: 'Dr Priya Patel',
        passcode: 'new-consulting-pc-8',
        code: await harness.issueDeviceCode(gpAccountId),
        relayUrl: harness.relayUrl,
      },
      null,
    );
    await expect(newGp.getByText('Dr Priya Patel · Clinician')).toBeVisible();
    await harness.reimageDevice(gpAccountId, 1, 2);
  });

  test('the next message fails with the reason beside Retry, and the banner blocks sending', async () => {
    await send(reception, 'Please also check her INR result from Tuesday');
    const failed = lastOut(reception);
    await expect(failed.locator('.status')).toHaveAttribute('data-status', 'failed');
    const reason = failed.locator('.message-failure p');
    await expect(reason).toHaveText(
      /safety number has changed.+acknowledge the change, then press Retry/,
    );
    const retry = failed.getByRole('button', { name: /Retry/ });
    await expect(retry).toBeVisible();
    await expect(retry).toHaveAccessibleDescription(/safety number has changed/);
    // Screen reader users hear it once, from the conversation's status region.
    await expect(reception.locator('.conversation [role="status"]')).toHaveText(
      /A message was not sent\. .*safety number has changed/,
    );

    const banner = reception.locator('.identity-banner');
    await expect(banner).toContainText("Dr Priya Patel's safety number has changed.");
    // A draft may still be typed; it cannot go until the change is acknowledged.
    await reception.getByLabel('Message', { exact: true }).fill('Is she on the list for today?');
    await expect(reception.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
    await expect(
      reception.getByText('Check the new safety number (above) before sending'),
    ).toBeVisible();
    await checkScreen(reception, 'identity-changed-failed-message');
  });

  test('reception views the new safety number and acknowledges it', async () => {
    await reception
      .locator('.identity-banner')
      .getByRole('button', { name: 'View safety number' })
      .click();
    const dialog = reception.getByRole('dialog', { name: /Safety number with Dr Priya Patel/ });
    await expect(dialog).toContainText('safety number has changed since you last talked');
    const digits = (await dialog.locator('.safety-digits li').allTextContents()).join('');
    expect(digits).toMatch(/^\d{60}$/);
    await checkScreen(reception, 'identity-changed-safety-number');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();

    await reception.getByRole('button', { name: 'I have checked: continue' }).click();
    await expect(reception.locator('.identity-banner')).toHaveCount(0);
    await expect(reception.getByRole('button', { name: 'Send', exact: true })).toBeEnabled();
    await reception.getByLabel('Message', { exact: true }).fill('');
    acknowledgedDigits = digits;
  });

  test('Retry clears the reason and delivers; sending works again', async () => {
    const failed = lastOut(reception);
    await failed.getByRole('button', { name: /Retry/ }).click();
    await expect(failed.locator('.message-failure')).toHaveCount(0);
    await expect(failed.locator('.status')).toHaveAttribute('data-status', /sent|delivered|read/);
    await newGp
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /Sam Jones/ })
      .click();
    await expect(newGp.locator('.message-in .message-text').last()).toHaveText(
      'Please also check her INR result from Tuesday',
    );
    // The new PC shows the same safety number reception acknowledged.
    await conversationAction(newGp, 'Safety number');
    const theirs = newGp.getByRole('dialog', { name: /Safety number with Sam Jones/ });
    await expect(theirs.locator('.safety-digits li')).toHaveCount(12);
    expect((await theirs.locator('.safety-digits li').allTextContents()).join('')).toBe(
      acknowledgedDigits,
    );
    await theirs.getByRole('button', { name: 'Close', exact: true }).click();
    await send(reception, 'Thanks, and welcome to the new PC');
    await expect(newGp.locator('.message-in .message-text').last()).toHaveText(
      'Thanks, and welcome to the new PC',
    );
    await expect(reception.locator('.message-failure')).toHaveCount(0);
    await checkScreen(reception, 'identity-acknowledged-retried');
  });
});
