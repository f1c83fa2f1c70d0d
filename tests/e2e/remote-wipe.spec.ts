/**
 * Remote wipe on a shared desk PC: two colleagues have profiles on one computer; IT revokes one
 * of them at the relay with wipe. That person's screen explains what happened (not a generic
 * lock), their profile is gone from the core's list and the picker, and the colleague's stays.
 */
import { expect, test } from '@playwright/test';
import type { MessengerApi } from '../../shared/ipc/messenger-api.js';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import { checkScreen, createAndEnrol, firstRun } from './practice-steps.js';

let harness: PracticeHarness;

test.beforeAll(async () => {
  harness = await startPracticeHarness(['--windows', 'desk']);
});
test.afterAll(async () => {
  await harness?.stop();
});

test('a device revoked with wipe explains itself and its profile is gone', async ({ page }) => {
  const alex = await harness.issueEnrolment('Alex Morgan', 'reception');
  const jo = await harness.issueEnrolment('Jo Bloggs', 'reception');
  await page.goto(harness.windows['desk']!);
  await firstRun(
    page,
    { name: 'Alex Morgan', passcode: 'alex-passcode', code: alex.code, relayUrl: harness.relayUrl },
    null,
  );
  await page.getByRole('button', { name: 'Switch profile' }).click();
  await page.getByRole('button', { name: 'Add a profile for someone new' }).click();
  await createAndEnrol(
    page,
    { name: 'Jo Bloggs', passcode: 'jo-passcode-2', code: jo.code, relayUrl: harness.relayUrl },
    null,
  );
  await expect(page.getByText('Jo Bloggs · Reception')).toBeVisible();
  const listProfiles = () =>
    page.evaluate(async () => {
      const api = (globalThis as unknown as { messenger: MessengerApi }).messenger;
      const answer = await api.profiles.list();
      return answer.ok ? answer.value.profiles.map((p) => p.displayName) : [];
    });
  expect((await listProfiles()).sort()).toEqual(['Alex Morgan', 'Jo Bloggs']);

  expect(await harness.revoke(jo.accountId, { wipe: true })).toBe(1);

  await expect(
    page.getByRole('heading', { name: 'This device was removed from your practice' }),
  ).toBeVisible();
  await expect(page.getByRole('alert')).toContainText(
    'This device was revoked by your practice and its messages were erased. Ask your practice manager for a new enrolment code.',
  );
  await expect(page.getByRole('alert')).toContainText(
    "Jo Bloggs's profile is no longer on this computer.",
  );
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Continue' })).toBeFocused();
  await checkScreen(page, 'device-wiped');
  // The core itself no longer has the profile: erased, not just hidden by the screen.
  await expect.poll(listProfiles).toEqual(['Alex Morgan']);

  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Practice Messenger is locked' })).toBeVisible();
  await expect(page.locator('.locked-name')).toHaveText('Alex Morgan');
  await page.getByRole('button', { name: 'Add or choose a profile' }).click();
  await expect(
    page.getByRole('heading', { name: 'Who is using Practice Messenger?' }),
  ).toBeVisible();
  await expect(page.locator('.profile-list li')).toHaveCount(1);
  await expect(page.getByRole('button', { name: /Alex Morgan/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /Jo Bloggs/ })).toHaveCount(0);
  await checkScreen(page, 'profile-picker-after-wipe');
});
