/**
 * Steps the e2e specs share: a member of staff's first run (create profile, enrol, notification
 * choice), sending a message, and a screen check (screenshot kept under test-results/screens/,
 * axe-core clean).
 */
import { expect, type Browser, type Page } from '@playwright/test';
import path from 'node:path';
import type { Role } from '../../shared/protocol/limits.js';
import { seriousViolations } from './accessibility.js';
import type { PracticeHarness } from './practice-harness.js';

export const screens = path.resolve(import.meta.dirname, '../../test-results/screens');

export async function checkScreen(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screens, `${name}.png`) });
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  // The same screen in the OS dark theme (contrast included), then back to light.
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    expect(await seriousViolations(page), `axe on ${name}, dark theme`).toEqual([]);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

export interface NewStaff {
  name: string;
  passcode: string;
  code: string;
  relayUrl: string;
}

/** One of the harness's windows, in its own browser context (British dates and times). */
export async function openWindow(
  browser: Browser,
  harness: PracticeHarness,
  window: string,
): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
  await page.goto(harness.windows[window]!);
  return page;
}

/**
 * A member of staff's window (named after `window`, in its own browser context) enrolled with a
 * fresh code and showing the conversation list.
 */
export async function openEnrolledWindow(
  browser: Browser,
  harness: PracticeHarness,
  window: string,
  person: { name: string; role: Role; passcode: string },
): Promise<Page> {
  const page = await openWindow(browser, harness, window);
  const code = await harness.issueEnrolmentCode(person.name, person.role);
  await firstRun(
    page,
    { name: person.name, passcode: person.passcode, code, relayUrl: harness.relayUrl },
    null,
  );
  return page;
}

/** From the welcome screen to the conversation list; `prefix` names screenshots of each step. */
export async function firstRun(page: Page, who: NewStaff, prefix: string | null): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Welcome to Practice Messenger' })).toBeVisible();
  if (prefix) await checkScreen(page, `${prefix}-welcome`);
  await createAndEnrol(page, who, prefix);
}

/** From the profile form (first run, or "Add a profile" on a shared PC) to the conversation list. */
export async function createAndEnrol(
  page: Page,
  who: NewStaff,
  prefix: string | null,
): Promise<void> {
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel('Choose a passcode').fill(who.passcode);
  await page.getByLabel('Type the passcode again').fill(who.passcode);
  await page.getByRole('button', { name: 'Create profile' }).click();

  await expect(page.getByRole('heading', { name: 'Join your practice' })).toBeVisible();
  await expect(page.getByLabel('Practice server')).toHaveValue(who.relayUrl);
  if (prefix) await checkScreen(page, `${prefix}-enrol`);
  await page.getByLabel('Enrolment code').fill(who.code);
  await page.getByRole('button', { name: 'Join practice' }).click();

  await expect(page.getByRole('heading', { name: 'Notifications' })).toBeVisible();
  await expect(page.getByLabel(/"New message" only/)).toBeChecked();
  if (prefix) await checkScreen(page, `${prefix}-notifications`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
}

/** Types a message in the open conversation and sends it with Enter. */
export async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
  await expect(page.locator('.message-out .message-text').last()).toHaveText(text);
}

/** Opens a conversation with `name` from the directory (New conversation). */
export async function startConversation(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'New conversation' }).click();
  await page
    .getByRole('dialog', { name: 'New conversation' })
    .getByRole('button', { name: new RegExp(name) })
    .click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

/** Chooses one of the open conversation's actions from its menu ("Conversation actions"). */
export async function conversationAction(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('button', { name: 'Conversation actions' }).click();
  const menu = page.getByRole('menu', { name: 'Conversation actions' });
  await menu
    .getByRole('menuitem', { name })
    .or(menu.getByRole('menuitemcheckbox', { name }))
    .click();
}
