/**
 * Group conversations in the browser (issue 14): reception creates a group with a GP and a nurse,
 * everyone writes in it, the header shows the member count and the members with their roles and
 * admins, "read by" counts the members who read, and the admin removes the nurse, whose window
 * then reads the group but cannot write to it; the admin renames the group. Each member opens
 * another's safety number from the members dialog; only the admin sets the disappearing timer,
 * which both see as a notice; a sender deletes their own message for everyone, in the group and
 * one to one.
 */
import { expect, test, type Page } from '@playwright/test';
import { startPracticeHarness, type PracticeHarness } from './practice-harness.js';
import {
  checkScreen,
  conversationAction,
  openEnrolledWindow,
  send,
  startConversation,
} from './practice-steps.js';

const staff = {
  reception: { name: 'Sam Jones', role: 'reception', passcode: 'desk-passcode-1' },
  gp: { name: 'Dr Priya Patel', role: 'clinician', passcode: 'consulting-room-7' },
  nurse: { name: 'Nurse Alex Brown', role: 'nurse', passcode: 'treatment-room-3' },
} as const;

let harness: PracticeHarness;
let reception: Page;
let gp: Page;
let nurse: Page;

const listItem = (page: Page, name: string) =>
  page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: new RegExp(name) });
const incoming = (page: Page) => page.locator('.message-in .message-text');

test.describe.serial('group conversations', () => {
  test.beforeAll(async ({ browser }) => {
    harness = await startPracticeHarness(['--windows', 'reception,gp,nurse']);
    const open = (who: keyof typeof staff) => openEnrolledWindow(browser, harness, who, staff[who]);
    reception = await open('reception');
    gp = await open('gp');
    nurse = await open('nurse');
  });

  test.afterAll(async () => {
    for (const page of [reception, gp, nurse]) await page?.context().close();
    await harness?.stop();
  });

  test('reception creates a group; every member sees it and writes in it', async () => {
    await reception.getByRole('button', { name: 'New conversation' }).click();
    let dialog = reception.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByRole('button', { name: 'New group…' }).click();
    dialog = reception.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill('Morning team');
    const search = dialog.getByLabel('Add people from the practice directory');
    await search.fill('Priya');
    await dialog.getByRole('button', { name: new RegExp(staff.gp.name) }).click();
    await search.fill('Alex');
    await dialog.getByRole('button', { name: new RegExp(staff.nurse.name) }).click();
    await expect(dialog.getByText('3 members with you')).toBeVisible();
    await checkScreen(reception, 'group-new');
    await dialog.getByRole('button', { name: 'Create group' }).click();

    await expect(reception.getByRole('heading', { name: 'Morning team' })).toBeVisible();
    await expect(
      reception.locator('.conversation-header').getByRole('button', { name: /3 members/ }),
    ).toBeVisible();
    await send(reception, 'Phones open in five minutes');

    for (const page of [gp, nurse]) {
      await listItem(page, 'Morning team').click();
      await expect(incoming(page).last()).toHaveText('Phones open in five minutes');
      await expect(page.getByRole('heading', { name: 'Morning team' })).toBeVisible();
    }
    await send(gp, 'Thanks, I am in room 4');
    await expect(incoming(reception).last()).toHaveText('Thanks, I am in room 4');
    await expect(incoming(nurse).last()).toHaveText('Thanks, I am in room 4');
    // Both members have the reception message open, so both have read it.
    await expect(reception.getByRole('button', { name: 'Read by 2 of 2' })).toBeVisible();
    await reception.getByRole('button', { name: 'Read by 2 of 2' }).click();
    const readBy = reception.getByRole('dialog', { name: 'Who has read it' });
    await expect(readBy.getByText(staff.gp.name)).toBeVisible();
    await expect(readBy.getByText(staff.nurse.name)).toBeVisible();
    await readBy.getByRole('button', { name: 'Close' }).click();
  });

  test('the members dialog shows roles and admins; the admin removes the nurse', async () => {
    await conversationAction(reception, 'Members…');
    const members = reception.getByRole('dialog', { name: 'Morning team: 3 members' });
    const list = members.getByRole('list', { name: 'Members' });
    await expect(list.getByRole('listitem')).toHaveCount(3);
    await expect(list.getByRole('listitem').filter({ hasText: 'You' })).toContainText('Admin');
    await expect(list.getByRole('listitem').filter({ hasText: staff.gp.name })).not.toContainText(
      'Admin',
    );
    await checkScreen(reception, 'group-members');
    await members.getByRole('button', { name: `Remove ${staff.nurse.name}` }).click();
    await expect(reception.getByRole('dialog', { name: 'Morning team: 2 members' })).toBeVisible();
    await reception.getByRole('button', { name: 'Close' }).click();
    await expect(
      reception.locator('.conversation-header').getByRole('button', { name: /2 members/ }),
    ).toBeVisible();

    // The GP, not an admin, sees the members but cannot remove anyone.
    await conversationAction(gp, 'Members…');
    const gpMembers = gp.getByRole('dialog', { name: 'Morning team: 2 members' });
    await expect(gpMembers.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
    await gpMembers.getByRole('button', { name: 'Close' }).click();

    // The nurse is told, and can read but no longer write.
    await expect(
      nurse.locator('.notice-row', {
        hasText: `${staff.reception.name} removed you from the group.`,
      }),
    ).toBeVisible();
    await expect(nurse.getByText('You are no longer a member of this group')).toBeVisible();
    await send(reception, 'Nurse Brown has moved to the afternoon list');
    await expect(incoming(gp).last()).toHaveText('Nurse Brown has moved to the afternoon list');
    await expect(incoming(nurse).last()).toHaveText('Thanks, I am in room 4');
  });

  test('the admin renames the group; the GP sees the new name and a notice, and cannot rename', async () => {
    await conversationAction(reception, 'Members…');
    const members = reception.getByRole('dialog', { name: 'Morning team: 2 members' });
    await members.getByLabel('Group name').fill('Morning team (Tuesday)');
    await members.getByRole('button', { name: 'Rename' }).click();
    await expect(
      reception.getByRole('dialog', { name: 'Morning team (Tuesday): 2 members' }),
    ).toBeVisible();
    await reception.getByRole('button', { name: 'Close' }).click();
    await expect(reception.getByRole('heading', { name: 'Morning team (Tuesday)' })).toBeVisible();

    await expect(gp.getByRole('heading', { name: 'Morning team (Tuesday)' })).toBeVisible();
    await expect(
      gp.locator('.notice-row', {
        hasText: `${staff.reception.name} renamed the group "Morning team (Tuesday)".`,
      }),
    ).toBeVisible();
    await expect(listItem(gp, 'Morning team \\(Tuesday\\)')).toBeVisible();
    await conversationAction(gp, 'Members…');
    const gpMembers = gp.getByRole('dialog', { name: 'Morning team (Tuesday): 2 members' });
    await expect(gpMembers.getByLabel('Group name')).toHaveCount(0);
    await gpMembers.getByRole('button', { name: 'Close' }).click();
  });

  test('a member opens the safety number of another member from the members dialog', async () => {
    await conversationAction(gp, 'Members…');
    const members = gp.getByRole('dialog', { name: 'Morning team (Tuesday): 2 members' });
    // Not for oneself: only the other member has the button.
    await expect(members.getByRole('button', { name: /^Safety number/ })).toHaveCount(1);
    await members
      .getByRole('button', { name: `Safety number with ${staff.reception.name}` })
      .click();
    const safety = gp.getByRole('dialog', { name: `Safety number with ${staff.reception.name}` });
    await expect(safety.getByRole('list', { name: /Safety number, 12 groups/ })).toBeVisible();
    const digits = await safety.getByRole('list', { name: /Safety number/ }).textContent();
    await safety.getByRole('button', { name: 'Close' }).click();

    // The same number on the receptionist's side, for the GP.
    await conversationAction(reception, 'Members…');
    await reception
      .getByRole('dialog', { name: 'Morning team (Tuesday): 2 members' })
      .getByRole('button', { name: `Safety number with ${staff.gp.name}` })
      .click();
    const theirs = reception.getByRole('dialog', { name: `Safety number with ${staff.gp.name}` });
    await expect(theirs.getByRole('list', { name: /Safety number/ })).toHaveText(
      digits ?? 'no digits',
    );
    await theirs.getByRole('button', { name: 'Close' }).click();
  });

  test('only the admin sets the disappearing timer; both see the notice and the timer', async () => {
    await conversationAction(gp, 'Disappearing messages: Off…');
    const gpTimer = gp.getByRole('dialog', { name: 'Disappearing messages' });
    await expect(gpTimer.getByText("Only the group's admins can change it.")).toBeVisible();
    await expect(gpTimer.getByRole('radio', { name: '1 day' })).toBeDisabled();
    await expect(gpTimer.getByRole('button', { name: 'Set timer' })).toHaveCount(0);
    await gpTimer.getByRole('button', { name: 'Close' }).click();

    await conversationAction(reception, 'Disappearing messages: Off…');
    const timer = reception.getByRole('dialog', { name: 'Disappearing messages' });
    await expect(timer.getByRole('radio', { name: 'Off' })).toBeChecked();
    await timer.getByRole('radio', { name: '1 day' }).check();
    await checkScreen(reception, 'disappearing-timer');
    await timer.getByRole('button', { name: 'Set timer' }).click();
    await expect(timer).toHaveCount(0);
    await expect(
      reception.locator('.notice-row', {
        hasText: 'You set messages to disappear 1 day after they are sent.',
      }),
    ).toBeVisible();
    await expect(reception.locator('.conversation-header')).toContainText('Disappearing: 1 day');
    await expect(
      gp.locator('.notice-row', {
        hasText: `${staff.reception.name} set messages to disappear 1 day after they are sent.`,
      }),
    ).toBeVisible();
    await expect(gp.locator('.conversation-header')).toContainText('Disappearing: 1 day');
  });

  test('the sender deletes their own message for everyone, in the group and one to one', async () => {
    await send(reception, 'Room 2 is free after all');
    await expect(incoming(gp).last()).toHaveText('Room 2 is free after all');
    // Someone else's message has no Delete.
    const theirs = reception.locator('.message-in').last();
    await theirs.hover();
    await expect(theirs.getByRole('button', { name: /^Delete/ })).toHaveCount(0);

    const own = reception.locator('.message-out', { hasText: 'Room 2 is free after all' });
    await own.hover();
    await own.getByRole('button', { name: /^Delete/ }).click();
    const confirm = reception.getByRole('dialog', { name: 'Delete for everyone?' });
    await expect(
      confirm.getByText('It is removed from every device in this conversation.'),
    ).toBeVisible();
    await checkScreen(reception, 'delete-for-everyone');
    await confirm.getByRole('button', { name: 'Delete for everyone' }).click();
    await expect(reception.getByText('Room 2 is free after all')).toHaveCount(0);
    await expect(gp.getByText('Room 2 is free after all')).toHaveCount(0);
    await expect(incoming(gp).last()).toHaveText('Nurse Brown has moved to the afternoon list');

    // One to one: "Keep it" keeps it; confirming removes it on both sides.
    await startConversation(reception, staff.gp.name);
    await send(reception, 'Call Mrs S back, please');
    // Anchored: the group's excerpt names the receptionist too.
    await listItem(gp, `^${staff.reception.name}`).click();
    await expect(incoming(gp).last()).toHaveText('Call Mrs S back, please');
    const direct = reception.locator('.message-out', { hasText: 'Call Mrs S back, please' });
    await direct.hover();
    await direct.getByRole('button', { name: /^Delete/ }).click();
    await reception
      .getByRole('dialog', { name: 'Delete for everyone?' })
      .getByRole('button', { name: 'Keep it' })
      .click();
    await expect(direct).toBeVisible();
    await direct.hover();
    await direct.getByRole('button', { name: /^Delete/ }).click();
    await reception
      .getByRole('dialog', { name: 'Delete for everyone?' })
      .getByRole('button', { name: 'Delete for everyone' })
      .click();
    await expect(direct).toHaveCount(0);
    await expect(gp.getByText('Call Mrs S back, please')).toHaveCount(0);
  });
});
