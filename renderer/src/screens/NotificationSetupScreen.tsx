/** Last first-run step: how private desktop notifications are (private by default). */
import { useState } from 'react';
import {
  defaultNotificationPrivacy,
  effectiveNotificationPrivacy,
  type NotificationPrivacy,
} from '../../../shared/notification-privacy.js';
import type { PolicyView } from '../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger } from '../api.js';
import { Alert, CardPage } from '../components/CardPage.js';
import { NotificationPrivacyChoice } from '../components/NotificationPrivacyChoice.js';

export function NotificationSetupScreen({
  policy,
  onDone,
}: {
  policy: PolicyView;
  onDone(): void;
}) {
  const [level, setLevel] = useState<NotificationPrivacy>(
    effectiveNotificationPrivacy(defaultNotificationPrivacy, policy.notificationPrivacy),
  );
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    try {
      await call(messenger().settings.set({ notificationPrivacy: level }));
      onDone();
    } catch (error) {
      setProblem(errorMessage(error));
      setBusy(false);
    }
  };

  return (
    <CardPage title="Notifications">
      <p>
        NHS guidance: notifications should not show who a message is from or what it says, in case
        someone else can see your screen. You can change this later in Settings.
      </p>
      <NotificationPrivacyChoice
        value={level}
        policyLeastPrivate={policy.notificationPrivacy}
        onChange={setLevel}
      />
      <Alert message={problem} />
      <div className="actions">
        <button
          type="button"
          className="button-primary"
          disabled={busy}
          onClick={() => void save()}
        >
          Continue
        </button>
      </div>
    </CardPage>
  );
}
