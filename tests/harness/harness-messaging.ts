/**
 * The messaging core for harness windows: the same factory the Electron shell passes to
 * createAppCore. Until the messaging core lands, none (its methods answer not_implemented).
 */
import type { AppCoreOptions } from '../../main/core/app/app-core.js';
import type { RunningRelay } from '../../server/relay.js';

export function harnessMessaging(_relay: RunningRelay): AppCoreOptions['messaging'] | undefined {
  return undefined;
}
