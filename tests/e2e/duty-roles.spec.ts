/**
 * Duty roles in the browser (issue 15): the practice manager creates the roles in the app; the
 * GP starts duty as Duty doctor from the directory;
 * reception picks "Duty doctor" there, is told who it reaches, and sends an urgent message; the
 * GP sees it as a message to the Duty doctor and acknowledges it; reception sees who
 * acknowledged it and when. A second GP then comes on duty: she sees the role conversation's
 * earlier message as history, and when the first GP acknowledges the next message, her
 * "Acknowledge" turns into "Acknowledged by …" without her pressing it.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import { checkScreen, firstRun } from './practice-steps.js';

let harness: PracticeHarness;
let contexts: BrowserContext[] = [];
let reception: Page;
let gp: Page;
let manager: Page;
let gp2: Page;

test.describe.serial('reception → Duty doctor → the GP acknowledges', () => {
  test.beforeAll(async ({ browser }) => {
    harness = await startPracticeHarness(['--windows', 'reception,gp,manager,gp2']);
    contexts = [
      await browser.newContext(),
      await browser.newContext(),
      await browser.newContext(),
      await browser.newContext(),
    ];
    reception = await contexts[0]!.newPage();
    gp = await contexts[1]!.newPage();
    manager = await contexts[2]!.newPage();
    gp2 = await contexts[3]!.newPage();
  });
  test.afterAll(async () => {
    for (const context of contexts) await context.close();
    await harness?.stop();
  });

  test('the practice manager creates the duty roles in the app', async () => {
    const code = await harness.issueEnrolmentCode('Pat Manager', 'manager');
    await manager.goto(harness.windows['manager']!);
    await firstRun(
      manager,
      { name: 'Pat Manager', passcode: 'manager-passcode-3', code, relayUrl: harness.relayUrl },
      null,
    );
    await manager.getByRole('button', { name: 'New conversation' }).click();
    const dialog = manager.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByText('Manage duty roles').click();
    await dialog.getByLabel('New role name').fill('All clinicians');
    await dialog.getByRole('button', { name: 'Add role' }).click();
    const roles = dialog.getByRole('region', { name: 'Duty roles' });
    await expect(roles.locator('[data-role="All clinicians"]')).toContainText('Nobody on duty');
    await dialog.getByLabel('New role name').fill('Duty doctor');
    await dialog.getByLabel('If not acknowledged, escalate to').selectOption('All clinicians');
    await dialog.getByLabel('Escalate after (minutes)').fill('10');
    await dialog.getByRole('button', { name: 'Add role' }).click();
    await expect(dialog.locator('.manage-roles-list')).toContainText(
      'Duty doctor — escalates to All clinicians after 10 min',
    );
    await checkScreen(manager, 'duty-roles-manage');
  });

  test('reception and the GP enrol', async () => {
    const receptionCode = await harness.issueEnrolmentCode('Sam Jones', 'reception');
    const gpCode = await harness.issueEnrolmentCode('Dr Priya Patel', 'clinician');
    await reception.goto(harness.windows['reception']!);
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
    await gp.goto(harness.windows['gp']!);
    await firstRun(
      gp,
      {
        name: 'Dr Priya Patel',
        passcode: 'consulting-room-7',
        code: gpCode,
        relayUrl: harness.relayUrl,
      },
      null,
    );
  });

  test('the GP starts duty as Duty doctor in the directory', async () => {
    await gp.getByRole('button', { name: 'New conversation' }).click();
    const dialog = gp.getByRole('dialog', { name: 'New conversation' });
    const roles = dialog.getByRole('region', { name: 'Duty roles' });
    const duty = roles.locator('[data-role="Duty doctor"]');
    await expect(duty).toContainText('Nobody on duty');
    await duty.getByRole('button', { name: 'Start duty as Duty doctor' }).click();
    await expect(duty).toContainText('On duty: Dr Priya Patel');
    await expect(duty.getByRole('button', { name: 'Stop duty as Duty doctor' })).toBeVisible();
    await checkScreen(gp, 'duty-roles-directory');
    await gp.keyboard.press('Escape');
  });

  test('reception picks Duty doctor, sees who it reaches, and sends an urgent message', async () => {
    await reception.getByRole('button', { name: 'New conversation' }).click();
    const directory = reception.getByRole('dialog', { name: 'New conversation' });
    await directory
      .locator('[data-role="Duty doctor"]')
      .getByRole('button', { name: /Duty doctor/ })
      .first()
      .click();
    const dialog = reception.getByRole('dialog', { name: 'Message Duty doctor' });
    await expect(dialog.locator('.role-plan')).toHaveText('Goes to Dr Priya Patel');
    await checkScreen(reception, 'duty-roles-message');
    await dialog.getByLabel('Message').fill('Care home on the phone, needs a call back today');
    await dialog.getByLabel(/Urgent/).check();
    await dialog.getByRole('button', { name: 'Send to Duty doctor' }).click();
    await expect(
      reception.getByRole('heading', { name: 'Dr Priya Patel', level: 1 }),
    ).toBeVisible();
    const sent = reception.locator('.message-out').last();
    await expect(sent.locator('.message-role-to')).toHaveText('To Duty doctor → Dr Priya Patel');
    await expect(sent.locator('.message-ack')).toHaveText('Awaiting acknowledgement');
    await checkScreen(reception, 'duty-roles-sent');
  });

  test('the GP acknowledges; reception sees by whom and when', async () => {
    await gp
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /Sam Jones/ })
      .click();
    const incoming = gp.locator('.message-in').last();
    await expect(incoming.locator('.message-role-to')).toHaveText('To Duty doctor');
    await checkScreen(gp, 'duty-roles-acknowledge');
    await incoming.getByRole('button', { name: 'Acknowledge' }).click();
    await expect(incoming.locator('.message-ack')).toHaveText(
      /^Acknowledged by Dr Priya Patel at \d\d:\d\d$/,
    );
    await expect(incoming.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
    const sent = reception.locator('.message-out').last();
    await expect(sent.locator('.message-ack')).toHaveText(
      /^Acknowledged by Dr Priya Patel at \d\d:\d\d$/,
      { timeout: 30_000 },
    );
    await expect(sent.locator('.message-ack')).toHaveAttribute('data-ack-state', 'acknowledged');
    await checkScreen(reception, 'duty-roles-acknowledged');
  });

  test('a second GP comes on duty and sees the role conversation so far', async () => {
    const code = await harness.issueEnrolmentCode('Dr Omar Khan', 'clinician');
    await gp2.goto(harness.windows['gp2']!);
    await firstRun(
      gp2,
      { name: 'Dr Omar Khan', passcode: 'consulting-room-9', code, relayUrl: harness.relayUrl },
      null,
    );
    await gp2.getByRole('button', { name: 'New conversation' }).click();
    const dialog = gp2.getByRole('dialog', { name: 'New conversation' });
    const duty = dialog
      .getByRole('region', { name: 'Duty roles' })
      .locator('[data-role="Duty doctor"]');
    await duty.getByRole('button', { name: 'Start duty as Duty doctor' }).click();
    await expect(duty).toContainText('Dr Omar Khan');
    await gp2.keyboard.press('Escape');

    // Reception writes to the role again: it now reaches both doctors.
    await reception.getByRole('button', { name: 'New conversation' }).click();
    await reception
      .getByRole('dialog', { name: 'New conversation' })
      .locator('[data-role="Duty doctor"]')
      .getByRole('button', { name: /Duty doctor/ })
      .first()
      .click();
    const send = reception.getByRole('dialog', { name: 'Message Duty doctor' });
    await expect(send.locator('.role-plan')).toHaveText(/Dr Priya Patel/);
    await expect(send.locator('.role-plan')).toHaveText(/Dr Omar Khan/);
    await send.getByLabel('Message').fill('Pharmacy asks about a warfarin dose, please call them');
    await send.getByLabel(/Urgent/).check();
    await send.getByRole('button', { name: 'Send to Duty doctor' }).click();

    await gp2
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /Sam Jones/ })
      .click();
    const messages = gp2.locator('.message-in');
    await expect(messages).toHaveCount(2);
    // The earlier message, sent before she came on duty, first and marked as history.
    await expect(messages.nth(0)).toContainText('Care home on the phone, needs a call back today');
    await expect(messages.nth(0).locator('.message-role-to')).toHaveText(
      'Earlier, to Duty doctor → Dr Priya Patel',
    );
    await expect(messages.nth(0).locator('.message-ack')).toHaveText(
      /^Acknowledged by Dr Priya Patel at \d\d:\d\d$/,
      { timeout: 30_000 },
    );
    await expect(messages.nth(0).getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
    await expect(messages.nth(1)).toContainText('warfarin dose');
    await expect(messages.nth(1).getByRole('button', { name: 'Acknowledge' })).toBeVisible();
    await checkScreen(gp2, 'duty-roles-history');
  });

  test('one GP acknowledges; the other sees it without pressing Acknowledge', async () => {
    await gp
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /Sam Jones/ })
      .click();
    const atPatel = gp.locator('.message-in').last();
    await expect(atPatel).toContainText('warfarin dose');
    await atPatel.getByRole('button', { name: 'Acknowledge' }).click();
    await expect(atPatel.locator('.message-ack')).toHaveText(
      /^Acknowledged by Dr Priya Patel at \d\d:\d\d$/,
    );
    const atKhan = gp2.locator('.message-in').last();
    await expect(atKhan.locator('.message-ack')).toHaveText(
      /^Acknowledged by Dr Priya Patel at \d\d:\d\d$/,
      { timeout: 30_000 },
    );
    await expect(atKhan.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
    await checkScreen(gp2, 'duty-roles-acknowledged-by-colleague');
  });
});
