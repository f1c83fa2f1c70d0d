/**
 * Every main screen at 800x600, 1280x800 and 1920x1080, compared with the baselines committed
 * under tests/e2e/screenshots/ (times masked, since they change), so a layout regression fails;
 * and the layout rules of issue 17: on a narrow window the list and the conversation take turns
 * with a back button, and choosing messages to transcribe leaves at least half the height to
 * the messages. Update the baselines on purpose with `--update-snapshots`.
 */
import { expect, test, type Page } from '@playwright/test';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import { conversationAction, firstRun, send } from './practice-steps.js';

const sizes = [
  { width: 800, height: 600 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

let harness: PracticeHarness;
let reception: Page;
let gp: Page;

const listItem = (page: Page, name: string) =>
  page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: new RegExp(name) });

async function shot(page: Page, name: string): Promise<void> {
  await expect(page.locator('.topbar .connection')).toHaveText('Connected');
  await page.mouse.move(0, 0);
  await expect(page).toHaveScreenshot(`${name}.png`, {
    mask: [page.locator('time, .conversation-time')],
  });
}

test.describe.serial('screens at three sizes', () => {
  test.beforeAll(async ({ browser }) => {
    harness = await startPracticeHarness(['--windows', 'reception,gp']);
    const open = async (name: string, role: 'reception' | 'clinician', window: string) => {
      const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
      await page.goto(harness.windows[window]!);
      const code = await harness.issueEnrolmentCode(name, role);
      await firstRun(
        page,
        { name, passcode: `${window}-passcode-1`, code, relayUrl: harness.relayUrl },
        null,
      );
      return page;
    };
    reception = await open('Sam Jones', 'reception', 'reception');
    gp = await open('Dr Priya Patel', 'clinician', 'gp');
    await reception.getByRole('button', { name: 'New conversation' }).click();
    const dialog = reception.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByLabel('Search the practice directory').fill('Priya');
    await dialog.getByRole('button', { name: /Dr Priya Patel/ }).click();
    await send(reception, 'Morning! Mrs A rang about her blood results, could you call her back?');
    await send(reception, 'She is free after 2pm.');
    await listItem(gp, 'Sam Jones').click();
    await expect(gp.locator('.message-in')).toHaveCount(2);
    await send(gp, 'Her results are normal. I will call her at 2.30pm.');
    await expect(reception.locator('.message-in')).toHaveCount(1);
  });

  test.afterAll(async () => {
    for (const page of [reception, gp]) await page?.context().close();
    await harness?.stop();
  });

  for (const size of sizes) {
    const at = `${size.width}x${size.height}`;
    test(`main screens at ${at}`, async () => {
      const page = reception;
      await page.setViewportSize(size);
      const narrow = size.width < 900;

      // The list, no conversation open.
      if (await page.getByRole('button', { name: 'Back to conversations' }).isVisible()) {
        await page.getByRole('button', { name: 'Back to conversations' }).click();
      }
      await expect(listItem(page, 'Dr Priya Patel')).toBeVisible();
      await shot(page, `list-${at}`);

      // The conversation.
      await listItem(page, 'Dr Priya Patel').click();
      await expect(page.locator('.message')).toHaveCount(3);
      if (narrow) {
        await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeHidden();
        await expect(page.getByRole('button', { name: 'Back to conversations' })).toBeVisible();
      } else {
        await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
        await expect(page.getByRole('button', { name: 'Back to conversations' })).toBeHidden();
      }
      await shot(page, `conversation-${at}`);

      // Its actions menu.
      await page.getByRole('button', { name: 'Conversation actions' }).click();
      await expect(page.getByRole('menu', { name: 'Conversation actions' })).toBeVisible();
      await shot(page, `conversation-menu-${at}`);
      await page.keyboard.press('Escape');

      // Choosing messages to transcribe: the messages keep at least half the height.
      await conversationAction(page, 'Select messages to transcribe');
      await page.getByRole('checkbox', { name: /Select message from Dr Priya Patel/ }).check();
      const list = await page.getByRole('region', { name: /^Messages with/ }).boundingBox();
      expect(list!.height).toBeGreaterThanOrEqual(size.height / 2);
      await shot(page, `selection-${at}`);
      await page.getByRole('button', { name: 'Cancel selection' }).click();

      // Starting a conversation.
      await page.getByRole('button', { name: 'New conversation' }).click();
      await expect(page.getByRole('dialog', { name: 'New conversation' })).toBeVisible();
      await expect(
        page.getByRole('dialog').getByRole('button', { name: /Dr Priya Patel/ }),
      ).toBeVisible();
      await shot(page, `new-conversation-${at}`);
      await page.keyboard.press('Escape');

      // Locked.
      await page.getByRole('button', { name: 'Lock' }).click();
      await expect(
        page.getByRole('heading', { name: 'Practice Messenger is locked' }),
      ).toBeVisible();
      await expect(page).toHaveScreenshot(`locked-${at}.png`);
      await page.getByLabel('Passcode').fill('reception-passcode-1');
      await page.getByLabel('Passcode').press('Enter');
      await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
    });
  }
});
