/**
 * Live behaviour of the messenger (issue 17): the connection line from the first render, the
 * list's preview for the conversation that is open, the "N new" cue for a message arriving
 * below the visible area, and, with the relay gone, a disconnected state while conversations
 * still open with their stored messages.
 */
import { expect, test, type Page } from '@playwright/test';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import { openEnrolledWindow, send } from './practice-steps.js';

const staff = {
  reception: { name: 'Sam Jones', role: 'reception', passcode: 'desk-passcode-1' },
  gp: { name: 'Dr Priya Patel', role: 'clinician', passcode: 'consulting-room-7' },
} as const;

let harness: PracticeHarness;
let reception: Page;
let gp: Page;

const pill = (page: Page) => page.locator('.topbar .connection');
const listItem = (page: Page, name: string) =>
  page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: new RegExp(name) });
const incoming = (page: Page) => page.locator('.message-in .message-text');

test.describe.serial('live behaviour', () => {
  test.beforeAll(async ({ browser }) => {
    harness = await startPracticeHarness(['--windows', 'reception,gp']);
    const open = (who: keyof typeof staff) => openEnrolledWindow(browser, harness, who, staff[who]);
    reception = await open('reception');
    gp = await open('gp');
    // Typing asks the directory again, so the GP (enrolled a moment ago) is found.
    await reception.getByRole('button', { name: 'New conversation' }).click();
    const dialog = reception.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByLabel('Search the practice directory').fill('Priya');
    await dialog.getByRole('button', { name: new RegExp(staff.gp.name) }).click();
    await send(reception, 'Good morning');
    await listItem(gp, staff.reception.name).click();
    await expect(incoming(gp).last()).toHaveText('Good morning');
  });

  test.afterAll(async () => {
    for (const page of [reception, gp]) await page?.context().close();
    await harness?.stop();
  });

  test('"Connected" shows from the first render of an unlocked window, not only after a change', async () => {
    // A reload finds the profile unlocked and its relay connection already up: no change comes.
    await gp.reload();
    await expect(gp.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
    await expect(pill(gp)).toHaveText('Connected', { timeout: 3000 });
  });

  test('the list preview follows incoming messages while their conversation is open', async () => {
    await listItem(gp, staff.reception.name).click();
    for (const text of ['First of two updates', 'Second update: Mrs C has arrived']) {
      await send(reception, text);
      await expect(incoming(gp).last()).toHaveText(text);
      await expect(listItem(gp, staff.reception.name).locator('.conversation-excerpt')).toHaveText(
        text,
      );
    }
    await expect(listItem(gp, staff.reception.name).locator('.unread')).toHaveCount(0);
  });

  test('a message arriving below the visible area shows "N new" and jumps there', async () => {
    for (let i = 1; i <= 14; i++) await send(reception, `Update ${i} on the morning list`);
    await expect(incoming(gp).last()).toHaveText('Update 14 on the morning list');
    const list = gp.getByRole('region', { name: /^Messages with/ });
    await list.evaluate((element) => (element.scrollTop = 0));
    await expect(gp.getByRole('button', { name: 'Jump to latest' })).toBeVisible();

    await send(reception, 'One more below the fold');
    const jump = gp.getByRole('button', { name: 'Jump to latest (1 new)' });
    await expect(jump).toBeVisible();
    await jump.click();
    await expect(gp.locator('.message-in').last()).toBeInViewport();
    await expect(jump).toHaveCount(0);
    // At the bottom, a new message stays in view with no cue.
    await send(reception, 'And one in view');
    await expect(incoming(gp).last()).toHaveText('And one in view');
    await expect(gp.locator('.message-in').last()).toBeInViewport();
    await expect(gp.getByRole('button', { name: /^Jump to latest/ })).toHaveCount(0);
  });

  test('with the relay gone the windows say so, and conversations open with their messages', async () => {
    await harness.relay('stop');
    for (const page of [reception, gp]) {
      await expect(pill(page)).toHaveClass(/connection-down/);
      await expect(pill(page)).toHaveText(/^(Offline|Connecting)/);
    }
    // Reopening, and even reloading, shows what this PC stores.
    await gp.reload();
    await expect(pill(gp)).toHaveText(/^(Offline|Connecting)/);
    await listItem(gp, staff.reception.name).click();
    await expect(incoming(gp).last()).toHaveText('And one in view');
    await expect(incoming(gp).first()).toBeAttached();
    await harness.relay('start');
    await expect(pill(gp)).toHaveText('Connected', { timeout: 60_000 });
  });

  test('the next message can be typed and sent while the last is still going; nothing typed is lost', async () => {
    const composer = reception.getByLabel('Message', { exact: true });
    // Typed and sent as fast as a quick typist can: the second is typed and sent while the first
    // is still on its way to main (a browser task apart, not waiting for it to show).
    await composer.evaluate(async (element) => {
      const web = globalThis as unknown as {
        HTMLTextAreaElement: { prototype: object };
        Event: new (type: string, init: object) => unknown;
        KeyboardEvent: new (type: string, init: object) => unknown;
        setTimeout(run: () => void, ms: number): unknown;
      };
      const target = element as unknown as { dispatchEvent(event: unknown): boolean };
      const tick = () => new Promise<void>((resolve) => web.setTimeout(resolve, 0));
      const setValue = Object.getOwnPropertyDescriptor(
        web.HTMLTextAreaElement.prototype,
        'value',
      )!.set!;
      for (const text of ['Typed first', 'Typed straight after']) {
        setValue.call(target, text);
        target.dispatchEvent(new web.Event('input', { bubbles: true }));
        await tick();
        target.dispatchEvent(
          new web.KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }),
        );
        await tick();
      }
    });
    const outgoing = reception.locator('.message-out .message-text');
    await expect
      .poll(async () => (await outgoing.allTextContents()).slice(-2), { timeout: 20_000 })
      .toEqual(['Typed first', 'Typed straight after']);
    await expect(composer).toHaveValue('');
    await expect(incoming(gp).last()).toHaveText('Typed straight after', { timeout: 60_000 });
  });
});
