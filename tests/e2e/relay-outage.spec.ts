/**
 * A relay outage end to end: with the relay stopped, reception's message waits in the outbox,
 * shown as sending, and the connection pill says the app is not connected; when the relay is
 * back (same address, same data), it goes out by itself, the GP receives it exactly once, and
 * reception sees it delivered.
 */
import { expect, test, type Page } from '@playwright/test';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import { checkScreen, openEnrolledWindow, send } from './practice-steps.js';

const staff = {
  reception: { name: 'Sam Jones', role: 'reception', passcode: 'desk-passcode-1' },
  gp: { name: 'Dr Priya Patel', role: 'clinician', passcode: 'consulting-room-7' },
} as const;

const duringOutage = 'Mrs D is here for her 10:40, running a little late';
const afterwards = 'She has arrived now';

let harness: PracticeHarness;
let reception: Page;
let gp: Page;

const pill = (page: Page) => page.locator('.topbar .connection');
const incoming = (page: Page, text: string) =>
  page.locator('.message-in .message-text').filter({ hasText: text });

test.describe.serial('relay outage', () => {
  test.beforeAll(async ({ browser }) => {
    harness = await startPracticeHarness(['--windows', 'reception,gp']);
    const open = (who: keyof typeof staff) => openEnrolledWindow(browser, harness, who, staff[who]);
    reception = await open('reception');
    gp = await open('gp');
  });

  test.afterAll(async () => {
    for (const page of [reception, gp]) await page?.context().close();
    await harness?.stop();
  });

  test('reception and the GP are talking', async () => {
    await reception.getByRole('button', { name: 'New conversation' }).click();
    await reception
      .getByRole('dialog', { name: 'New conversation' })
      .getByRole('button', { name: new RegExp(staff.gp.name) })
      .click();
    await send(reception, 'Good morning');
    await expect(reception.locator('.message-out .status').last()).toHaveAttribute(
      'data-status',
      'delivered',
    );
    await gp
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: new RegExp(staff.reception.name) })
      .click();
    await expect(incoming(gp, 'Good morning')).toHaveCount(1);
  });

  test('with the relay down, a message waits as sending and the app says it is not connected', async () => {
    await harness.relay('stop');
    await expect(pill(reception)).toHaveText(/^(Offline|Connecting)/);
    await expect(pill(gp)).toHaveText(/^(Offline|Connecting)/);

    await send(reception, duringOutage);
    const row = reception.locator('.message-out').last();
    await expect(row.locator('.status')).toHaveAttribute('data-status', 'pending');
    await expect(row.locator('.status')).toHaveText('Sending…');
    // Still waiting (not failed) after the pill has had time to say offline between retries.
    await expect(pill(reception)).toHaveText(/^Offline: messages will send/);
    await expect(row.locator('.status')).toHaveAttribute('data-status', 'pending');
    await expect(incoming(gp, duringOutage)).toHaveCount(0);
    await checkScreen(reception, 'relay-outage-pending');
  });

  test('with the relay back, it goes out by itself and the GP has it exactly once', async () => {
    const row = reception.locator('.message-out').last();
    const id = await row.getAttribute('data-message-id');
    await harness.relay('start');
    // The app retries with backoff, so reconnecting can take a few attempts.
    await expect(pill(reception)).toHaveText('Connected', { timeout: 60_000 });
    await expect(row.locator('.status')).toHaveAttribute('data-status', /^(delivered|read)$/, {
      timeout: 60_000,
    });
    await expect(incoming(gp, duringOutage)).toHaveCount(1);
    expect((await harness.stored('gp', [id!])).present).toEqual([id]);

    // A later message arrives after any duplicate of the first would have: still only one.
    await send(reception, afterwards);
    await expect(incoming(gp, afterwards)).toHaveCount(1);
    await expect(incoming(gp, duringOutage)).toHaveCount(1);
    await expect(reception.locator('.message-out .message-text')).toHaveText([
      'Good morning',
      duringOutage,
      afterwards,
    ]);
  });
});
