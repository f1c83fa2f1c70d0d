/**
 * A GP on two PCs and reception on one (issue 13). The GP's second PC is enrolled by IT with a
 * code for the GP's account: reception sees a notice, not a changed safety number, and both GP
 * PCs get reception's messages. The GP's reply from one PC shows on the other as sent by the GP
 * (sync between own devices). In Settings the GP sees both PCs ("this computer" and the other,
 * with when it was last seen) and removes the other one after confirming: that PC is wiped, the
 * list shows one device, and reception keeps sending without a failure.
 */
import { expect, test, type Page } from '@playwright/test';
import { checkScreen, send, startConversation } from './practice-steps.js';
import {
  enrolAnotherGpPc,
  openConversation,
  startReceptionAndGp,
  stopPractice,
  type ReceptionAndGp,
} from './reception-and-gp.js';

let practice: ReceptionAndGp;
let reception: Page;
let gpRoom4: Page;
let gpRoom7: Page;

const lastIn = (page: Page) => page.locator('.message-in .message-text').last();

test.describe.serial('a GP on two PCs', () => {
  test.beforeAll(async ({ browser }) => {
    practice = await startReceptionAndGp(
      browser,
      { window: 'gp-room-4', passcode: 'room-four-pc-4' },
      ['gp-room-7'],
    );
    ({ reception, gp: gpRoom4 } = practice);
  });

  test.afterAll(async () => {
    await stopPractice(practice?.harness, [reception, gpRoom4, gpRoom7]);
  });

  test('reception writes to the GP on the first PC', async () => {
    await startConversation(reception, 'Dr Priya Patel');
    await send(reception, 'Morning, are you in Room 4 today?');
    await expect(reception.locator('.message-out .status').last()).toHaveAttribute(
      'data-status',
      'delivered',
    );
    await expect(reception.locator('.conversation-people')).not.toContainText('PCs');
  });

  test('the GP enrols a second PC: reception sees a notice, and both PCs get the next message', async ({
    browser,
  }) => {
    gpRoom7 = await enrolAnotherGpPc(browser, practice, 'gp-room-7', 'room-seven-pc-7');
    await send(reception, 'Can you take a call back after two today?');
    await expect(reception.locator('.notice-row')).toContainText('Dr Priya Patel added a device');
    // The header says the GP is on two PCs now (it said nothing of PCs with one).
    await expect(reception.locator('.conversation-people')).toContainText('on 2 PCs');
    await expect(reception.locator('.identity-banner')).toHaveCount(0);
    await expect(reception.locator('.message-failure')).toHaveCount(0);

    await openConversation(gpRoom4, /Sam Jones/);
    await expect(lastIn(gpRoom4)).toHaveText('Can you take a call back after two today?');
    await openConversation(gpRoom7, /Sam Jones/);
    await expect(lastIn(gpRoom7)).toHaveText('Can you take a call back after two today?');
  });

  test('the GP replies from Room 4, and Room 7 shows the reply as sent by the GP', async () => {
    await send(gpRoom4, 'Yes, I will ring them at half two');
    await expect(lastIn(reception)).toHaveText('Yes, I will ring them at half two');
    const copy = gpRoom7.locator('.message-out').last();
    await expect(copy.locator('.message-text')).toHaveText('Yes, I will ring them at half two');
    await expect(copy.locator('.status')).toHaveAttribute('data-status', /sent|delivered|read/);
    await checkScreen(gpRoom7, 'own-device-sent-copy');
    // Reception answers both; the copy on Room 7 is not a second message for reception.
    await expect(reception.locator('.message-in .message-text')).toHaveCount(1);
  });

  test('Settings lists both PCs; the GP removes the other one after confirming', async () => {
    await gpRoom4.getByRole('button', { name: 'Settings' }).click();
    const settings = gpRoom4.getByRole('dialog', { name: 'Settings' });
    const devices = settings
      .getByRole('region', { name: 'Your devices' })
      .or(settings.locator('section[aria-labelledby="settings-devices"]'));
    const rows = devices.locator('.device-row');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toContainText('(this computer)');
    await expect(rows.nth(0)).toContainText('Device 1 · In use now');
    await expect(rows.nth(1)).not.toContainText('(this computer)');
    await expect(rows.nth(1)).toContainText(/Device 2 · Last seen \w{3} \d{1,2} \w{3}, \d\d:\d\d/);
    await devices.locator('.device-row').nth(1).scrollIntoViewIfNeeded();
    await checkScreen(gpRoom4, 'settings-devices');

    await rows
      .nth(1)
      .getByRole('button', { name: /^Remove / })
      .click();
    const confirm = rows.nth(1).getByRole('group', { name: /^Remove .+\?$/ });
    await expect(confirm).toContainText('It stops receiving your messages and erases them.');
    // Changing one's mind leaves it in place.
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await expect(rows).toHaveCount(2);
    await rows
      .nth(1)
      .getByRole('button', { name: /^Remove / })
      .click();
    await checkScreen(gpRoom4, 'settings-devices-confirm');
    await rows.nth(1).getByRole('button', { name: 'Remove device' }).click();
    await expect(rows).toHaveCount(1);
    await expect(devices.getByRole('status')).toContainText('was removed.');
    await settings
      .getByRole('button', { name: /^Close/ })
      .first()
      .click();

    // The removed PC is wiped at once (its socket was open), and says the GP did it, from where.
    await expect(
      gpRoom7.getByRole('heading', { name: 'This PC was removed from your devices' }),
    ).toBeVisible();
    await expect(gpRoom7.getByRole('alert')).toContainText(
      /This PC was removed by Dr Priya Patel from another of their PCs \(.+\)\. Its messages have been erased from this PC\./,
    );
    await expect(gpRoom7.getByRole('alert')).not.toContainText('practice');
  });

  test('reception keeps sending to the GP, now on one PC', async () => {
    await send(reception, 'Any time before four is fine, they say');
    // Read at once: the GP has the conversation open.
    await expect(reception.locator('.message-out .status').last()).toHaveAttribute(
      'data-status',
      /delivered|read/,
    );
    await expect(lastIn(gpRoom4)).toHaveText('Any time before four is fine, they say');
    await expect(reception.locator('.message-failure')).toHaveCount(0);
    await expect(reception.locator('.identity-banner')).toHaveCount(0);
  });
});
