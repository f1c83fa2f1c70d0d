/**
 * The top-level flow: profile picker / first run -> unlock -> enrol -> notification choice ->
 * messenger. A `session.locked` event from main sends any unlocked stage back to the lock screen,
 * which unmounts the messenger and with it every conversation held in memory. A remote wipe
 * (`account.stopped` with reason `wiped`) replaces the lock screen with an explanation, and the
 * erased profile is never offered again.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LockReason, PolicyView, ProfileSummary } from '../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger, useMessengerEvent } from './api.js';
import type { AppInfo } from './app-types.js';
import { CreateProfileScreen } from './screens/CreateProfileScreen.js';
import { DeviceRemovedScreen } from './screens/DeviceRemovedScreen.js';
import type { OwnDeviceRemoval } from '../../shared/removed-device-explanation.js';
import { EnrolScreen } from './screens/EnrolScreen.js';
import { Messenger } from './screens/Messenger.js';
import { NotificationSetupScreen } from './screens/NotificationSetupScreen.js';
import { ProfilePicker } from './screens/ProfilePicker.js';
import { UnlockScreen } from './screens/UnlockScreen.js';

type Stage =
  | { kind: 'starting' }
  | { kind: 'fatal'; message: string }
  | { kind: 'picker' }
  | { kind: 'create' }
  | { kind: 'unlock'; profile: ProfileSummary; reason: LockReason | null }
  | { kind: 'enrol'; profile: ProfileSummary }
  | { kind: 'notifications'; profile: ProfileSummary }
  | { kind: 'messenger'; profile: ProfileSummary }
  | { kind: 'wiped'; displayName: string; removedBy?: OwnDeviceRemoval };

export function App() {
  const [stage, setStage] = useState<Stage>({ kind: 'starting' });
  const [policy, setPolicy] = useState<PolicyView | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [profiles, setProfiles] = useState<ProfileSummary[]>([]);
  // Main erases a wiped profile just after announcing it; a list fetched in between must not
  // offer it again.
  const wipedIds = useRef(new Set<string>());

  const refreshProfiles = useCallback(async () => {
    const listed = await call(messenger().profiles.list());
    const remaining = listed.profiles.filter((p) => !wipedIds.current.has(p.id));
    setProfiles(remaining);
    return { ...listed, profiles: remaining };
  }, []);

  const enter = useCallback(async (profile: ProfileSummary) => {
    const account = await call(messenger().account.get());
    setStage(account.enrolled ? { kind: 'messenger', profile } : { kind: 'enrol', profile });
  }, []);

  const showStart = useCallback(async () => {
    const listed = await refreshProfiles();
    const unlocked = listed.profiles.find((p) => p.id === listed.unlockedProfileId);
    const only = listed.profiles.length === 1 ? listed.profiles[0] : undefined;
    if (unlocked) await enter(unlocked);
    else if (listed.profiles.length === 0) setStage({ kind: 'create' });
    else if (only) setStage({ kind: 'unlock', profile: only, reason: null });
    else setStage({ kind: 'picker' });
  }, [enter, refreshProfiles]);

  useEffect(() => {
    void (async () => {
      try {
        setInfo(await call(messenger().app.info()));
        setPolicy(await call(messenger().policy.get()));
        await showStart();
      } catch (error) {
        setStage({ kind: 'fatal', message: errorMessage(error) });
      }
    })();
  }, [showStart]);

  useMessengerEvent('session.locked', ({ reason }) => {
    setStage((current) =>
      current.kind === 'messenger' || current.kind === 'enrol' || current.kind === 'notifications'
        ? { kind: 'unlock', profile: current.profile, reason }
        : current,
    );
    void refreshProfiles().catch(() => undefined);
  });

  useMessengerEvent('account.stopped', ({ reason, removedBy }) => {
    // Other refusals leave the profile in place; the messenger shows their message.
    if (reason !== 'wiped' || !('profile' in stage)) return;
    wipedIds.current.add(stage.profile.id);
    setProfiles((list) => list.filter((p) => !wipedIds.current.has(p.id)));
    setStage({
      kind: 'wiped',
      displayName: stage.profile.displayName,
      ...(removedBy ? { removedBy } : {}),
    });
  });

  const lock = useCallback(async () => {
    await call(messenger().profiles.lock());
  }, []);

  const switchProfile = useCallback(async () => {
    await call(messenger().profiles.lock());
    await refreshProfiles();
    setStage({ kind: 'picker' });
  }, [refreshProfiles]);

  if (stage.kind === 'starting' || policy === null || info === null) {
    if (stage.kind === 'fatal') return <FatalScreen message={stage.message} />;
    return <p className="starting">Starting Practice Messenger…</p>;
  }
  switch (stage.kind) {
    case 'fatal':
      return <FatalScreen message={stage.message} />;
    case 'picker':
      return (
        <ProfilePicker
          profiles={profiles}
          onChoose={(profile) => setStage({ kind: 'unlock', profile, reason: null })}
          onCreate={() => setStage({ kind: 'create' })}
        />
      );
    case 'create':
      return (
        <CreateProfileScreen
          firstRun={profiles.length === 0}
          onCreated={(profile) => {
            void refreshProfiles().catch(() => undefined);
            setStage({ kind: 'enrol', profile });
          }}
          onCancel={profiles.length > 0 ? () => setStage({ kind: 'picker' }) : null}
        />
      );
    case 'unlock':
      return (
        <UnlockScreen
          profile={stage.profile}
          reason={stage.reason}
          policy={policy}
          canSwitch={profiles.length > 1}
          onUnlocked={enter}
          onSwitch={() => setStage({ kind: 'picker' })}
          onProfileGone={() => void showStart()}
        />
      );
    case 'enrol':
      return (
        <EnrolScreen
          profile={stage.profile}
          policy={policy}
          onEnrolled={() => setStage({ kind: 'notifications', profile: stage.profile })}
          onLock={() => void lock()}
        />
      );
    case 'notifications':
      return (
        <NotificationSetupScreen
          policy={policy}
          onDone={() => setStage({ kind: 'messenger', profile: stage.profile })}
        />
      );
    case 'wiped':
      return (
        <DeviceRemovedScreen
          displayName={stage.displayName}
          removedBy={stage.removedBy}
          onContinue={() =>
            void showStart().catch((error: unknown) =>
              setStage({ kind: 'fatal', message: errorMessage(error) }),
            )
          }
        />
      );
    case 'messenger':
      return (
        <Messenger
          profile={stage.profile}
          policy={policy}
          info={info}
          onLock={() => void lock()}
          onSwitchProfile={() => void switchProfile()}
        />
      );
  }
}

function FatalScreen({ message }: { message: string }) {
  return (
    <main className="card-page">
      <div className="card">
        <h1>Practice Messenger cannot start</h1>
        <p role="alert">{message}</p>
      </div>
    </main>
  );
}
