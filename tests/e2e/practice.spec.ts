/**
 * A receptionist and a GP, each in their own browser context bound to their own harness window
 * (own profile root), on one relay: first run and enrolment, finding each other in the directory,
 * messaging with delivered/read, the PID warning, lock and unlock, and an accessibility check and
 * screenshot of every main screen (kept under test-results/screens/).
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import { checkScreen, firstRun, conversationAction } from './practice-steps.js';
const passcode = {
  reception: 'desk-passcode-1',
  gp: 'consulting-room-7',
};

let harness: PracticeHarness;
let receptionContext: BrowserContext;
let gpContext: BrowserContext;
let reception: Page;
let gp: Page;

test.describe.serial('reception and GP', () => {
  test.beforeAll(async ({ browser }) => {
    harness = await startPracticeHarness();
    receptionContext = await browser.newContext();
    gpContext = await browser.newContext();
    reception = await receptionContext.newPage();
    gp = await gpContext.newPage();
  });

  test.afterAll(async () => {
    await receptionContext?.close();
    await gpContext?.close();
    await harness?.stop();
  });

  test('both enrol on first run', async () => {
    const receptionCode = await harness.issueEnrolmentCode('Sam Jones', 'reception');
    const gpCode = await harness.issueEnrolmentCode('Dr Priya Patel', 'clinician');
    await reception.goto(harness.windows['reception']!);
    await firstRun(
      reception,
      {
        name: 'Sam Jones',
        passcode: passcode.reception,
        code: receptionCode,
        relayUrl: harness.relayUrl,
      },
      'first-run',
    );
    await gp.goto(harness.windows['gp']!);
    await firstRun(
      gp,
      { name: 'Dr Priya Patel', passcode: passcode.gp, code: gpCode, relayUrl: harness.relayUrl },
      null,
    );
    await expect(reception.getByText('Sam Jones · Reception')).toBeVisible();
    await expect(gp.getByText('Dr Priya Patel · Clinician')).toBeVisible();
    // Once the core answered: "Loading conversations…" before that.
    await expect(reception.getByText('No conversations yet.')).toBeVisible();
    await checkScreen(reception, 'conversation-list-empty');
  });

  test('reception finds the GP in the directory and sends a message', async () => {
    await reception.getByRole('button', { name: 'New conversation' }).click();
    const dialog = reception.getByRole('dialog', { name: 'New conversation' });
    await expect(dialog.getByRole('button', { name: /Dr Priya Patel/ })).toBeVisible();
    await checkScreen(reception, 'directory');
    await dialog.getByLabel('Search the practice directory').fill('patel');
    await dialog.getByRole('button', { name: /Dr Priya Patel/ }).click();
    await expect(
      reception.getByRole('heading', { name: 'Dr Priya Patel', level: 1 }),
    ).toBeVisible();

    const composer = reception.getByLabel('Message', { exact: true });
    await composer.fill('Mrs A is asking for a call back about her blood test results');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('Any time after 2pm is fine.');
    await composer.press('Enter');
    const sent = reception.locator('.message-out').last();
    await expect(sent.locator('.message-text')).toHaveText(
      'Mrs A is asking for a call back about her blood test results\nAny time after 2pm is fine.',
    );
    await expect(composer).toHaveValue('');
    await expect(sent.locator('.status')).toHaveAttribute('data-status', /sent|delivered|read/);
    await expect(sent.locator('.status')).toHaveAttribute('data-status', 'delivered');
  });

  test('the GP sees it unread, opens it, and reception sees it read', async () => {
    const item = gp
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /Sam Jones/ });
    await expect(item).toContainText('1 unread');
    await expect(item).toContainText('Reception');
    await checkScreen(gp, 'conversation-list');
    await item.click();
    await expect(gp.locator('.message-in .message-text').last()).toContainText('call back');
    await expect(gp.locator('.message-in .sender-role').first()).toHaveText('Reception');
    await expect(gp.locator('.day-separator').first()).toHaveText('Today');
    await expect(reception.locator('.message-out .status').last()).toHaveAttribute(
      'data-status',
      'read',
    );
    await expect(item).not.toContainText('unread');
  });

  test('the GP replies with a quote and marks it urgent; reception copies it', async () => {
    const incoming = gp.locator('.message-in').last();
    await incoming.hover();
    await incoming.getByRole('button', { name: /Reply/ }).click();
    await expect(gp.getByText('Replying to')).toBeVisible();
    await gp.getByLabel('Mark as urgent').check();
    await gp.getByLabel('Message', { exact: true }).fill('Yes, I will call her at 2.30pm.');
    await gp.getByLabel('Message', { exact: true }).press('Enter');
    const reply = reception.locator('.message-in').last();
    await expect(reply.locator('.message-text')).toHaveText('Yes, I will call her at 2.30pm.');
    await expect(reply.locator('.reply-quote')).toContainText('call back');
    await expect(reply.locator('.tag-urgent')).toBeVisible();
    await expect(reply.locator('.sender-role')).toHaveText('Clinician');
    await checkScreen(reception, 'conversation');
    await reply.hover();
    await reply.getByRole('button', { name: /Copy/ }).click();
    await expect.poll(() => harness.clipboard('reception')).toBe('Yes, I will call her at 2.30pm.');
    await checkScreen(gp, 'conversation-gp');
  });

  test('the PID warning appears for a valid NHS number and not for an invalid one', async () => {
    const composer = reception.getByLabel('Message', { exact: true });
    await composer.fill('Patient NHS number 943 476 5919 needs a repeat prescription');
    const warning = reception.locator('.pid-warning');
    await expect(warning).toBeVisible();
    await expect(warning).toContainText('Valid NHS number');
    await expect(warning).toContainText('943 476 5919');
    await expect(warning.getByRole('button', { name: 'Send anyway' })).toBeVisible();
    await checkScreen(reception, 'pid-warning');
    // Enter does not send while the warning is unanswered.
    const before = await reception.locator('.message-out').count();
    await composer.press('Enter');
    await expect(composer).toHaveValue(/943 476 5919/);
    expect(await reception.locator('.message-out').count()).toBe(before);

    await composer.fill('Patient NHS number 943 476 5918 needs a repeat prescription');
    await expect(warning).toHaveCount(0);
    await composer.fill('');
  });

  test('safety number and settings screens', async () => {
    await conversationAction(reception, 'Safety number');
    const dialog = reception.getByRole('dialog', { name: /Safety number with Dr Priya Patel/ });
    const groups = dialog.locator('.safety-digits li');
    await expect(groups).toHaveCount(12);
    expect((await groups.allTextContents()).join('')).toMatch(/^\d{60}$/);
    await expect(dialog.getByRole('img', { name: /QR code/ })).toBeVisible();
    await checkScreen(reception, 'safety-number');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();

    await reception.getByRole('button', { name: 'Settings' }).click();
    const settings = reception.getByRole('dialog', { name: 'Settings' });
    await expect(settings.getByText('AGPL-3.0-only')).toBeVisible();
    await expect(settings.getByText(harness.relayUrl)).toBeVisible();
    await settings.getByLabel('Sender only').check();
    await expect(settings.getByLabel('Sender only')).toBeChecked();
    await checkScreen(reception, 'settings');
    await settings
      .getByRole('button', { name: /^Close/ })
      .first()
      .click();
  });

  test('SAR export shows only the reason where the policy does not allow it', async () => {
    await conversationAction(reception, 'Export for SAR…');
    const dialog = reception.getByRole('dialog', { name: 'Export for a Subject Access Request' });
    await expect(dialog).toContainText('policy does not allow exporting conversations');
    await expect(dialog.getByRole('button', { name: 'Export conversation…' })).toHaveCount(0);
    await expect(dialog.getByLabel('Your passcode')).toHaveCount(0);
    await expect(dialog.getByRole('textbox')).toHaveCount(0);
    await checkScreen(reception, 'export-not-allowed');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await expect(dialog).toHaveCount(0);
  });

  test('lock drops the conversation and unlock brings it back', async () => {
    await reception.getByRole('button', { name: 'Lock' }).click();
    await expect(
      reception.getByRole('heading', { name: 'Practice Messenger is locked' }),
    ).toBeVisible();
    await expect(reception.getByText('You locked Practice Messenger.')).toBeVisible();
    await expect(reception.getByText('call back')).toHaveCount(0);
    await checkScreen(reception, 'locked');

    await reception.getByLabel('Passcode').fill('not-my-passcode');
    await reception.getByRole('button', { name: 'Unlock' }).click();
    await expect(reception.getByRole('alert')).toContainText(/passcode/i);
    await expect(reception.getByText('call back')).toHaveCount(0);

    await reception.getByLabel('Passcode').fill(passcode.reception);
    await reception.getByRole('button', { name: 'Unlock' }).click();
    await expect(reception.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
    await expect(
      reception
        .getByRole('navigation', { name: 'Conversations' })
        .getByRole('button', { name: /Dr Priya Patel/ }),
    ).toBeVisible();
  });

  test('search finds a conversation by message text', async () => {
    const search = gp.getByLabel('Search names and messages');
    await search.fill('blood test');
    await expect(
      gp
        .getByRole('navigation', { name: 'Conversations' })
        .getByRole('button', { name: /Sam Jones/ }),
    ).toBeVisible();
    await search.fill('no such words anywhere');
    await expect(gp.getByText('No conversation matches your search.')).toBeVisible();
    await search.fill('');
  });
});
