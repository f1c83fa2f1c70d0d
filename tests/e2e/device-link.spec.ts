/**
 * A GP links a second PC themselves (issue 13): Settings → Your devices → Link a new PC shows a
 * one-time code and its QR code; the new PC's enrolment screen takes the code; the first PC asks
 * "… wants to join" and the GP approves. The new PC is then one of the GP's devices and gets
 * reception's messages. A second attempt with a refused PC is told so on its enrolment screen.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { PracticeHarness } from './practice-harness.js';
import { checkScreen, openWindow, send, startConversation } from './practice-steps.js';
import { openConversation, startReceptionAndGp, stopPractice } from './reception-and-gp.js';

let harness: PracticeHarness;
let reception: Page;
let gpRoom4: Page;
let gpRoom7: Page;
let laptop: Page;

function devicesSection(page: Page): Locator {
  return page
    .getByRole('dialog', { name: 'Settings' })
    .locator('section[aria-labelledby="settings-devices"]');
}

/** A new PC's first run up to the enrolment screen, then the link code typed there. */
async function joinWithLinkCode(page: Page, name: string, passcode: string, code: string) {
  await expect(page.getByRole('heading', { name: 'Welcome to Practice Messenger' })).toBeVisible();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Choose a passcode').fill(passcode);
  await page.getByLabel('Type the passcode again').fill(passcode);
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(page.getByRole('heading', { name: 'Join your practice' })).toBeVisible();
  await page.getByLabel('My other PC shows it').check();
  await page.getByLabel('Link code').fill(code);
  await checkScreen(page, 'enrol-link-code');
  await page.getByRole('button', { name: 'Join practice' }).click();
  await expect(
    page.getByRole('button', { name: 'Waiting for your other PC to approve…' }),
  ).toBeVisible();
}

async function makeLinkCode(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Settings' }).click();
  const devices = devicesSection(page);
  await devices.getByRole('button', { name: 'Link a new PC' }).click();
  const code = (await devices.locator('.link-code').textContent())?.trim() ?? '';
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await expect(
    devices.getByRole('img', { name: `QR code of the link code ${code}` }),
  ).toBeVisible();
  return code;
}

test.describe.serial('a GP links a PC themselves', () => {
  test.beforeAll(async ({ browser }) => {
    ({
      harness,
      reception,
      gp: gpRoom4,
    } = await startReceptionAndGp(browser, { window: 'gp-room-4', passcode: 'room-four-pc-4' }, [
      'gp-room-7',
      'laptop',
    ]));
  });

  test.afterAll(async () => {
    await stopPractice(harness, [reception, gpRoom4, gpRoom7, laptop]);
  });

  test('the code and its QR code, the new PC asking by name, approval: the PC is the GP’s', async ({
    browser,
  }) => {
    const code = await makeLinkCode(gpRoom4);
    const devices = devicesSection(gpRoom4);
    await expect(devices).toContainText('you will be asked to approve it here');
    await checkScreen(gpRoom4, 'settings-link-code');

    gpRoom7 = await openWindow(browser, harness, 'gp-room-7');
    await joinWithLinkCode(gpRoom7, 'Dr Priya Patel', 'room-seven-pc-7', code.toLowerCase());

    const asking = devices.getByRole('group', { name: /wants to join$/ });
    await expect(asking).toBeVisible();
    await expect(asking).toContainText('wants to join as one of your devices');
    await checkScreen(gpRoom4, 'settings-link-asking');
    await asking.getByRole('button', { name: 'Approve' }).click();
    await expect(devices.locator('.link-done')).toContainText('was added to your devices.');
    await expect(devices.locator('.device-row')).toHaveCount(2);
    await gpRoom4
      .getByRole('dialog', { name: 'Settings' })
      .getByRole('button', { name: /^Close/ })
      .first()
      .click();

    // The new PC finishes its first run and is one of the GP's devices.
    await expect(gpRoom7.getByRole('heading', { name: 'Notifications' })).toBeVisible();
    await gpRoom7.getByRole('button', { name: 'Continue' }).click();
    await expect(gpRoom7.getByRole('navigation', { name: 'Conversations' })).toBeVisible();

    await startConversation(reception, 'Dr Priya Patel');
    await send(reception, 'Room 7 today?');
    await openConversation(gpRoom7, /Sam Jones/);
    await expect(gpRoom7.locator('.message-in .message-text').last()).toHaveText('Room 7 today?');
  });

  test('a PC the GP refuses is told so and does not join', async ({ browser }) => {
    const code = await makeLinkCode(gpRoom4);
    laptop = await openWindow(browser, harness, 'laptop');
    await joinWithLinkCode(laptop, 'Dr Priya Patel', 'laptop-passcode-9', code);
    const devices = devicesSection(gpRoom4);
    const asking = devices.getByRole('group', { name: /wants to join$/ });
    await asking.getByRole('button', { name: 'Refuse' }).click();
    await expect(devices.locator('.link-done')).toContainText('was refused.');
    await expect(devices.locator('.device-row')).toHaveCount(2);
    await expect(laptop.getByRole('alert')).toContainText('Your other PC refused this one');
    await expect(laptop.getByRole('heading', { name: 'Join your practice' })).toBeVisible();
  });
});
