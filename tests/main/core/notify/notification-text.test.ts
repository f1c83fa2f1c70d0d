import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  notificationPrivacyLevels,
  type NotificationPrivacy,
} from '../../../../shared/notification-privacy.js';
import {
  maxNotificationTextLength,
  notificationText,
  type IncomingMessageFacts,
} from '../../../../main/core/notify/notification-text.js';

const message: IncomingMessageFacts = {
  senderName: 'Dr Asha Patel',
  senderRole: 'clinician',
  text: 'Please call back Mrs Jones re bloods, NHS 943 476 5919',
  urgent: false,
};
const open = (
  chosen: NotificationPrivacy,
  policyLeastPrivate: NotificationPrivacy = 'sender_and_text',
) => ({
  chosen,
  policyLeastPrivate,
  windowFocused: false,
});

describe('notification text', () => {
  it('shows nothing when off', () => {
    expect(notificationText(message, open('off'))).toBeNull();
  });

  it('says only "New message" by default: neither sender nor content', () => {
    const text = notificationText(message, open('new_message'));
    expect(text).toEqual({ title: 'Practice Messenger', body: 'New message', urgent: false });
  });

  it('names the sender only at "sender"', () => {
    expect(notificationText(message, open('sender'))).toEqual({
      title: 'Dr Asha Patel (clinician)',
      body: 'New message',
      urgent: false,
    });
  });

  it('adds the text at "sender_and_text", on one line and shortened', () => {
    expect(notificationText(message, open('sender_and_text'))?.body).toBe(message.text);
    const long = notificationText(
      { ...message, text: `line one\n\nline two ${'x'.repeat(500)}` },
      open('sender_and_text'),
    );
    expect(long?.body.startsWith('line one line two')).toBe(true);
    expect(long?.body.length).toBe(maxNotificationTextLength);
  });

  it('names the group only with the text (its name may name a patient); group notices do not notify', () => {
    const inGroup = { ...message, groupName: 'Care of Mr B' };
    expect(notificationText(inGroup, open('sender_and_text'))?.title).toBe(
      'Dr Asha Patel (clinician) in Care of Mr B',
    );
    for (const level of ['sender', 'new_message'] as const) {
      const text = notificationText(inGroup, open(level));
      expect(JSON.stringify(text)).not.toContain('Mr B');
    }
    for (const level of notificationPrivacyLevels) {
      expect(notificationText({ ...inGroup, notice: true }, open(level))).toBeNull();
    }
    // A notice in a direct conversation notifies as before.
    expect(notificationText({ ...message, notice: true }, open('sender'))).not.toBeNull();
  });

  it('shows nothing while the window is focused', () => {
    for (const level of notificationPrivacyLevels) {
      expect(
        notificationText({ ...message, urgent: true }, { ...open(level), windowFocused: true }),
      ).toBeNull();
    }
  });

  it('makes urgent messages stand out at every visible level', () => {
    for (const level of ['new_message', 'sender', 'sender_and_text'] as const) {
      const text = notificationText({ ...message, urgent: true }, open(level));
      expect(text?.urgent).toBe(true);
      expect(text?.title.startsWith('URGENT: ')).toBe(true);
    }
    expect(notificationText({ ...message, urgent: true }, open('new_message'))?.body).toBe(
      'New urgent message',
    );
  });

  it('never reveals more than the policy allows, whatever the user chose', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...notificationPrivacyLevels),
        fc.constantFrom(...notificationPrivacyLevels),
        fc.boolean(),
        fc.string({ minLength: 1, maxLength: 300 }),
        (chosen, policy, urgent, body) => {
          const text = notificationText(
            { ...message, urgent, text: `zz${body}` },
            open(chosen, policy),
          );
          const rank = (l: NotificationPrivacy) => notificationPrivacyLevels.indexOf(l);
          const shown = rank(chosen) <= rank(policy) ? chosen : policy;
          if (shown === 'off') {
            expect(text).toBeNull();
            return;
          }
          const all = `${text?.title} ${text?.body}`;
          expect(all.includes('Asha')).toBe(shown === 'sender' || shown === 'sender_and_text');
          expect(all.includes('zz')).toBe(shown === 'sender_and_text');
        },
      ),
    );
  });

  it('lets the policy force a more private level', () => {
    expect(notificationText(message, open('sender_and_text', 'new_message'))?.body).toBe(
      'New message',
    );
    expect(notificationText(message, open('sender_and_text', 'off'))).toBeNull();
    // A user may still choose more privacy than the policy requires.
    expect(notificationText(message, open('off', 'sender_and_text'))).toBeNull();
  });
});

describe('notification text for a message to a duty role', () => {
  const toRole: IncomingMessageFacts = { ...message, urgent: true, roleName: 'Duty doctor' };

  it('names the role, never the sender or text, at the default level', () => {
    expect(notificationText(toRole, open('new_message'))).toEqual({
      title: 'URGENT: Practice Messenger',
      body: 'Duty doctor: new urgent message',
      urgent: true,
    });
    expect(notificationText({ ...toRole, urgent: false }, open('new_message'))?.body).toBe(
      'Duty doctor: new message',
    );
  });

  it('adds the sender only where the level allows, and shows nothing when off', () => {
    expect(notificationText(toRole, open('sender'))).toEqual({
      title: 'URGENT: Dr Asha Patel (clinician)',
      body: 'Duty doctor: new urgent message',
      urgent: true,
    });
    expect(notificationText(toRole, open('sender', 'new_message'))?.title).toBe(
      'URGENT: Practice Messenger',
    );
    expect(notificationText(toRole, open('off'))).toBeNull();
  });
});
