/**
 * Maps the profile store (main/core/profile) onto the shell's ProfileGateway, and applies the
 * policy's `maxPasscodeAttempts`: after that many wrong passcodes in a row the local profile is
 * wiped, so a stolen or shared PC cannot be used to guess indefinitely.
 */
import { MessengerError, isMessengerError } from '../../../shared/errors.js';
import type { ProfileSummary } from '../../../shared/ipc/view-schemas.js';
import { describeError } from '../../../shared/describe-error.js';
import { createLogger } from '../log/logger.js';
import { recordUnlockAudit } from '../audit/unlock-audit.js';
import {
  keepWipeReportCredential,
  reportPasscodeWipe,
  takeWipeReportCredential,
} from '../audit/wipe-report.js';
import type { LoadedPolicy } from '../policy/load-policy.js';
import type { OpenProfile } from '../profile/open-profile.js';
import type { ProfileStore } from '../profile/profile-store.js';
import type { ProfileGateway, UnlockedProfile } from './profile-gateway.js';

const log = createLogger('app.profiles');

export interface AttemptLimitedGatewayOptions {
  /** Wipe after this many consecutive wrong passcodes; null never wipes. */
  maxPasscodeAttempts: number | null;
  /** The policy in force: each unlock records it (keys only) on the practice trail. */
  policy?: LoadedPolicy;
  now?: () => number;
}

export function attemptLimitedGateway(
  store: ProfileStore,
  options: AttemptLimitedGatewayOptions,
): ProfileGateway {
  const summaryOf = (id: string, label: string, createdAt: string): ProfileSummary => {
    const attempts = store.attemptState(id);
    return {
      id,
      displayName: label,
      createdAt: Date.parse(createdAt),
      failedAttempts: attempts.failures,
      nextAttemptAt: attempts.retryAt,
    };
  };
  const unlocked = (profile: OpenProfile): UnlockedProfile => {
    const entry = store.list().find((p) => p.ok && p.id === profile.id);
    const createdAt = entry?.ok ? entry.createdAt : new Date().toISOString();
    return {
      summary: summaryOf(profile.id, profile.label, createdAt),
      settings: profile.repositories.settings,
      changePasscode: (current, next) => profile.changePasscode(current, next),
      close: () => profile.close(),
      erase: () => store.delete(profile.id),
      profile,
      keepWipeReport: () => keepWipeReportCredential(store, profile),
    };
  };
  const unlockOrWipe = async (id: string, passcode: string): Promise<OpenProfile> => {
    try {
      return await store.unlock(id, passcode);
    } catch (error) {
      const failures = isMessengerError(error, 'invalid_passcode')
        ? error.details?.['failures']
        : 0;
      const limit = options.maxPasscodeAttempts;
      if (limit !== null && typeof failures === 'number' && failures >= limit) {
        const credential = await takeWipeReportCredential(store, id);
        await store.delete(id);
        log.warn('profile_wiped_after_failures', { profileId: id, failures });
        // The practice trail learns of it through the relay (docs/security.md).
        const reported =
          credential !== null &&
          (await reportPasscodeWipe(store, id, credential, {
            failures,
            serverCertificateSha256: options.policy?.policy.serverCertificateSha256 ?? null,
          }));
        log.info('profile_wipe_reported', { profileId: id, reported });
        throw new MessengerError(
          'too_many_attempts',
          `Too many wrong passcodes: as your practice's policy requires, this profile has been removed from this computer. Ask your practice manager for a new enrolment code.`,
        );
      }
      throw error;
    }
  };
  return {
    list: () =>
      Promise.resolve(
        store.list().flatMap((entry) => {
          if (entry.ok) return [summaryOf(entry.id, entry.label, entry.createdAt)];
          // Unreadable metadata: logged by id only; the picker cannot offer it anyway.
          log.warn('profile_unreadable', { profileId: entry.id });
          return [];
        }),
      ),
    create: async (displayName, passcode) =>
      unlocked(await store.create({ label: displayName, passcode })),
    unlock: async (id, passcode) => {
      // Read before the unlock, which clears the count.
      const before = store.attemptState(id);
      const profile = await unlockOrWipe(id, passcode);
      await keepWipeReportCredential(store, profile).catch((error: unknown) => {
        log.warn('wipe_report_credential_failed', { profileId: id, error: describeError(error) });
      });
      if (options.policy) {
        recordUnlockAudit(profile.repositories.audit, {
          at: (options.now ?? Date.now)(),
          policy: options.policy,
          failuresBefore: before.failures,
          lastFailureAt: before.lastFailureAt,
        });
      }
      return unlocked(profile);
    },
    delete: async (id, passcode) => {
      (await unlockOrWipe(id, passcode)).close();
      await store.delete(id);
    },
  };
}
