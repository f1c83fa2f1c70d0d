/**
 * A shared reception PC: two staff profiles in one window, each with its own passcode; the
 * profile picker, locking on demand, a wrong passcode, and switching between profiles.
 */
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { seriousViolations } from './accessibility.js';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';

const screens = path.resolve(import.meta.dirname, '../../test-results/screens');
let harness: PracticeHarness;

test.beforeAll(async () => {
  harness = await startPracticeHarness(['--windows', 'desk']);
});
test.afterAll(async () => {
  await harness?.stop();
});

async function createProfile(page: Page, name: string, passcode: string): Promise<void> {
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Choose a passcode').fill(passcode);
  await page.getByLabel('Type the passcode again').fill(passcode);
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(page.getByRole('heading', { name: 'Join your practice' })).toBeVisible();
}

test('two colleagues share one desk PC, each behind their own passcode', async ({ page }) => {
  await page.goto(harness.windows['desk']!);
  await expect(page.getByRole('heading', { name: 'Welcome to Practice Messenger' })).toBeVisible();

  // Validation says what is wrong and how to fix it, before anything is created.
  await page.getByLabel('Your name').fill('Alex Morgan');
  await page.getByLabel('Choose a passcode').fill('abc');
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(page.getByText('Use at least 6 characters.')).toBeVisible();
  await expect(page.getByText('The two passcodes are different. Type it again.')).toBeVisible();

  await createProfile(page, 'Alex Morgan', 'alex-passcode');
  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Practice Messenger is locked' })).toBeVisible();
  await expect(page.getByText('Alex Morgan')).toBeVisible();

  await page.getByRole('button', { name: 'Add or choose a profile' }).click();
  await page.getByRole('button', { name: 'Add a profile for someone new' }).click();
  await expect(page.getByRole('heading', { name: 'Add a profile' })).toBeVisible();
  await createProfile(page, 'Jo Bloggs', 'jo-passcode-2');
  await page.getByRole('button', { name: 'Lock' }).click();

  await page.getByRole('button', { name: 'Not you? Choose your profile' }).click();
  await expect(
    page.getByRole('heading', { name: 'Who is using Practice Messenger?' }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: /Alex Morgan/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /Jo Bloggs/ })).toBeVisible();
  await page.screenshot({ path: path.join(screens, 'profile-picker.png') });
  expect(await seriousViolations(page)).toEqual([]);

  // Jo's passcode does not open Alex's profile.
  await page.getByRole('button', { name: /Alex Morgan/ }).click();
  await page.getByLabel('Passcode').fill('jo-passcode-2');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText(/passcode/i);
  await expect(page.getByRole('heading', { name: 'Practice Messenger is locked' })).toBeVisible();
  await page.screenshot({ path: path.join(screens, 'unlock-wrong-passcode.png') });
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByLabel('Passcode').fill('alex-passcode');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Join your practice' })).toBeVisible();
  await expect(page.getByText('Hello Alex Morgan.')).toBeVisible();
});
