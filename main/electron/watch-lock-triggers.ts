/**
 * Locks the app when the OS locks or sleeps, and after the idle timeout (the user's setting,
 * never longer than the policy's). The decision is core's `isIdleLockDue`; this only wires
 * Electron's powerMonitor to it.
 */
import { powerMonitor } from 'electron';
import type { AppSession } from '../core/app/app-session.js';
import { isIdleLockDue } from '../core/app/app-session.js';

const idleCheckIntervalMs = 15_000;

export function watchLockTriggers(
  session: AppSession<unknown>,
  lockTimeoutMinutes: () => number,
): () => void {
  const onLockScreen = () => void session.lock('os-lock');
  const onSuspend = () => void session.lock('suspend');
  powerMonitor.on('lock-screen', onLockScreen);
  powerMonitor.on('suspend', onSuspend);
  const timer = setInterval(() => {
    if (!session.isUnlocked()) return;
    if (isIdleLockDue(powerMonitor.getSystemIdleTime(), lockTimeoutMinutes())) {
      void session.lock('idle');
    }
  }, idleCheckIntervalMs);
  return () => {
    clearInterval(timer);
    powerMonitor.off('lock-screen', onLockScreen);
    powerMonitor.off('suspend', onSuspend);
  };
}
