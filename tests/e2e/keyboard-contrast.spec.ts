/**
 * Keyboard, assistive technology and contrast (issue 17): where focus goes after unlock, after
 * New conversation, Reply and Escape; one tab stop for the message list; one Close per dialog;
 * unique names for the selection checkboxes; 4.5:1 text contrast in hover, focus and disabled
 * states read from computed styles (axe cannot hover); the dark theme, forced colours and 200 %
 * zoom.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { seriousViolations } from './accessibility.js';
import { contrastOf } from './contrast.js';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import { conversationAction, openEnrolledWindow, send } from './practice-steps.js';

const staff = {
  reception: { name: 'Sam Jones', role: 'reception', passcode: 'desk-passcode-1' },
  gp: { name: 'Dr Priya Patel', role: 'clinician', passcode: 'consulting-room-7' },
} as const;

let harness: PracticeHarness;
let reception: Page;
let gp: Page;

// The tests compile without the DOM library; these are the browser's own.
type Styled = {
  getComputedStyle(element: unknown): { backgroundColor: string; borderTopStyle: string };
};
type Sized = { scrollWidth: number; clientWidth: number };

const search = (page: Page) => page.getByLabel('Search names and messages');
const composer = (page: Page) => page.getByLabel('Message', { exact: true });

test.describe.serial('keyboard and contrast', () => {
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

  test('after unlock, focus is on the conversation search, not the page', async () => {
    await reception.getByRole('button', { name: 'Lock' }).click();
    await reception.getByLabel('Passcode').fill(staff.reception.passcode);
    await reception.getByLabel('Passcode').press('Enter');
    await expect(search(reception)).toBeFocused();
  });

  test('New conversation focuses its search; Enter on a single match opens it', async () => {
    await reception.getByRole('button', { name: 'New conversation' }).click();
    const field = reception.getByLabel('Search the practice directory');
    await expect(field).toBeFocused();
    await reception.keyboard.type('Priya');
    const dialog = reception.getByRole('dialog', { name: 'New conversation' });
    await expect(dialog.getByRole('button', { name: /Dr Priya Patel/ })).toHaveCount(1);
    await reception.keyboard.press('Enter');
    await expect(
      reception.getByRole('heading', { name: 'Dr Priya Patel', level: 1 }),
    ).toBeVisible();
    await send(reception, 'Could you look at the repeat request for Mr E?');
    await send(reception, 'Also the fit note for Ms F');
  });

  test('Escape returns focus to what opened the dialog, menus included; one Close each', async () => {
    const settings = reception.getByRole('button', { name: 'Settings' });
    await settings.focus();
    await reception.keyboard.press('Enter');
    const dialog = reception.getByRole('dialog', { name: 'Settings' });
    await expect(dialog.getByRole('button', { name: /Close/ })).toHaveCount(1);
    await reception.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(settings).toBeFocused();

    await conversationAction(reception, 'Safety number');
    const safety = reception.getByRole('dialog', { name: /Safety number with/ });
    await expect(safety.getByRole('button', { name: /Close/ })).toHaveCount(1);
    await reception.keyboard.press('Escape');
    await expect(reception.getByRole('button', { name: 'Conversation actions' })).toBeFocused();

    await reception.getByRole('button', { name: 'New conversation' }).click();
    const directory = reception.getByRole('dialog', { name: 'New conversation' });
    await expect(directory.getByRole('button', { name: /Close/ })).toHaveCount(1);
    await reception.keyboard.press('Escape');
    await expect(reception.getByRole('button', { name: 'New conversation' })).toBeFocused();
  });

  test('the message list is one tab stop; arrows move between messages; Reply focuses the composer', async () => {
    const list = reception.getByRole('region', { name: /^Messages with/ });
    await list.focus();
    await reception.keyboard.press('Tab');
    await expect(composer(reception)).toBeFocused();

    await list.focus();
    await reception.keyboard.press('ArrowUp');
    const last = reception.locator('article.message').last();
    await expect(last).toBeFocused();
    await reception.keyboard.press('ArrowUp');
    await expect(reception.locator('article.message').first()).toBeFocused();
    await reception.keyboard.press('Tab');
    const reply = reception
      .locator('article.message')
      .first()
      .getByRole('button', { name: /Reply/ });
    await expect(reply).toBeFocused();
    await reception.keyboard.press('Enter');
    await expect(composer(reception)).toBeFocused();
    await expect(reception.locator('.reply-preview')).toContainText('Could you look at');
    await reception.getByRole('button', { name: 'Cancel reply' }).click();
  });

  test('selection checkboxes have unique names', async () => {
    await conversationAction(reception, 'Select messages to transcribe');
    const boxes = reception.getByRole('checkbox', { name: /^Select message/ });
    await expect(boxes).toHaveCount(2);
    const names = await boxes.evaluateAll((inputs) =>
      inputs.map((input) => (input.closest('label')?.textContent ?? '').trim()),
    );
    expect(new Set(names).size).toBe(names.length);
    await reception.getByRole('button', { name: 'Cancel selection' }).click();
  });

  test('text keeps 4.5:1 in hover, focus and disabled states', async () => {
    const checks: [string, Locator][] = [
      ['New conversation', reception.getByRole('button', { name: 'New conversation' })],
      ['Settings', reception.getByRole('button', { name: 'Settings' })],
      ['Conversation actions', reception.getByRole('button', { name: 'Conversation actions' })],
      ['Conversation in the list', reception.locator('.conversation-item').first()],
      ['Reply', reception.locator('.message-actions button').first()],
    ];
    const failures: string[] = [];
    const measure = async (name: string, state: string, target: Locator) => {
      const ratio = await contrastOf(target);
      if (ratio < 4.5) failures.push(`${name} (${state}): ${ratio.toFixed(2)}:1`);
    };
    for (const [name, target] of checks) {
      await reception.mouse.move(0, 0);
      await target.focus();
      await measure(name, 'focus', target);
      await target.hover();
      await measure(name, 'hover', target);
    }
    // Disabled Send (empty composer), also under the pointer.
    await composer(reception).fill('');
    const sendButton = reception.getByRole('button', { name: 'Send', exact: true });
    await expect(sendButton).toBeDisabled();
    await measure('Send', 'disabled', sendButton);
    await sendButton.hover({ force: true });
    await measure('Send', 'disabled hover', sendButton);
    await conversationAction(reception, 'Select messages to transcribe');
    const transcribe = reception.getByRole('button', { name: 'Transcribe selected' });
    await expect(transcribe).toBeDisabled();
    await transcribe.hover({ force: true });
    await measure('Transcribe selected', 'disabled hover', transcribe);
    const cancel = reception.getByRole('button', { name: 'Cancel selection' });
    await cancel.hover();
    await measure('Cancel selection', 'hover', cancel);
    await cancel.click();
    expect(failures).toEqual([]);
  });

  test('the OS dark theme passes axe, and forced colours keep controls outlined', async () => {
    await reception.emulateMedia({ colorScheme: 'dark' });
    const page = await reception
      .locator('html')
      .evaluate((e) => (globalThis as unknown as Styled).getComputedStyle(e).backgroundColor);
    expect(page).toBe('rgb(20, 25, 29)');
    expect(await seriousViolations(reception), 'axe in the dark theme').toEqual([]);
    await reception.emulateMedia({ colorScheme: 'light', forcedColors: 'active' });
    const border = await reception
      .getByRole('button', { name: 'Settings' })
      .evaluate((e) => (globalThis as unknown as Styled).getComputedStyle(e).borderTopStyle);
    expect(border).toBe('solid');
    await reception.emulateMedia({ colorScheme: 'light', forcedColors: 'none' });
  });

  test('usable at 200 % zoom (1280x800 at 200 % is 640x400)', async () => {
    await reception.setViewportSize({ width: 640, height: 400 });
    const overflow = await reception.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: Sized } }).document
        .documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(composer(reception)).toBeInViewport();
    await expect(reception.locator('article.message').last()).toBeInViewport();
    await reception.getByRole('button', { name: 'Back to conversations' }).click();
    await expect(search(reception)).toBeInViewport();
    await expect(
      reception.getByRole('navigation', { name: 'Conversations' }).getByRole('button', {
        name: /Dr Priya Patel/,
      }),
    ).toBeFocused();
    await reception.setViewportSize({ width: 1280, height: 800 });
  });
});
