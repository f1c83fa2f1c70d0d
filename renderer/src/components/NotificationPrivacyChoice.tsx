/** The four notification levels as radio buttons; levels the policy forbids are disabled. */
import {
  isAllowedNotificationPrivacy,
  notificationPrivacyLevels,
  type NotificationPrivacy,
} from '../../../shared/notification-privacy.js';

const descriptions: Record<NotificationPrivacy, { label: string; detail: string }> = {
  off: { label: 'No notifications', detail: 'Nothing appears on screen when a message arrives.' },
  new_message: {
    label: '"New message" only (recommended)',
    detail: 'Shows that a message arrived, but not who sent it or what it says.',
  },
  sender: { label: 'Sender only', detail: 'Shows who sent it, never what it says.' },
  sender_and_text: {
    label: 'Sender and message',
    detail: 'Anyone who can see your screen could read it: not for shared desks.',
  },
};

interface Props {
  value: NotificationPrivacy;
  policyLeastPrivate: NotificationPrivacy;
  onChange(value: NotificationPrivacy): void;
  disabled?: boolean;
}

export function NotificationPrivacyChoice({
  value,
  policyLeastPrivate,
  onChange,
  disabled,
}: Props) {
  return (
    <fieldset className="radios">
      <legend>What should a notification show?</legend>
      {notificationPrivacyLevels.map((level) => {
        const allowed = isAllowedNotificationPrivacy(level, policyLeastPrivate);
        const id = `notification-${level}`;
        return (
          <div className="radio" key={level}>
            <input
              type="radio"
              id={id}
              name="notification-privacy"
              value={level}
              checked={value === level}
              disabled={disabled || !allowed}
              aria-describedby={`${id}-detail`}
              onChange={() => onChange(level)}
            />
            <label htmlFor={id}>
              {descriptions[level].label}
              <span className="hint" id={`${id}-detail`}>
                {allowed ? descriptions[level].detail : "Not allowed by your practice's policy."}
              </span>
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}
