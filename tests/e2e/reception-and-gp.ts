/**
 * The practice the device specs (device-link, own-devices, identity-change) start from: reception
 * (Sam Jones) and a GP (Dr Priya Patel) each enrolled on a PC of their own, with further harness
 * windows left on the welcome screen for the GP's other PCs; and the steps those specs share.
 */
import type { Browser, Page } from '@playwright/test';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import { firstRun, openEnrolledWindow, openWindow } from './practice-steps.js';

export const gpName = 'Dr Priya Patel';

export interface ReceptionAndGp {
  harness: PracticeHarness;
  reception: Page;
  gp: Page;
  gpAccountId: string;
}

/**
 * Starts the harness with the windows `reception`, `gp.window` and then `otherWindows` (in that
 * order), and enrols reception and the GP's first PC.
 */
export async function startReceptionAndGp(
  browser: Browser,
  gp: { window: string; passcode: string },
  otherWindows: readonly string[],
): Promise<ReceptionAndGp> {
  const harness = await startPracticeHarness([
    '--windows',
    ['reception', gp.window, ...otherWindows].join(','),
  ]);
  const reception = await openEnrolledWindow(browser, harness, 'reception', {
    name: 'Sam Jones',
    role: 'reception',
    passcode: 'desk-passcode-1',
  });
  const enrolment = await harness.issueEnrolment(gpName, 'clinician');
  const gpPage = await openWindow(browser, harness, gp.window);
  await firstRun(
    gpPage,
    { name: gpName, passcode: gp.passcode, code: enrolment.code, relayUrl: harness.relayUrl },
    null,
  );
  return { harness, reception, gp: gpPage, gpAccountId: enrolment.accountId };
}

/** A further PC of the GP's, enrolled by IT with a device code for the GP's account. */
export async function enrolAnotherGpPc(
  browser: Browser,
  practice: ReceptionAndGp,
  window: string,
  passcode: string,
): Promise<Page> {
  const page = await openWindow(browser, practice.harness, window);
  await firstRun(
    page,
    {
      name: gpName,
      passcode,
      code: await practice.harness.issueDeviceCode(practice.gpAccountId),
      relayUrl: practice.harness.relayUrl,
    },
    null,
  );
  return page;
}

/** Closes every window the spec opened (any not opened yet are skipped) and stops the harness. */
export async function stopPractice(
  harness: PracticeHarness | undefined,
  pages: readonly (Page | undefined)[],
): Promise<void> {
  for (const page of pages) await page?.context().close();
  await harness?.stop();
}

/** Opens the conversation with `name` from the conversation list. */
export async function openConversation(page: Page, name: RegExp): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name })
    .click();
}
