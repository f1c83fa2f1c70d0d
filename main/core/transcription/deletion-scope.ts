import { isClinicalRole } from '../../../shared/clinical/clinical-roles.js';
import { MessengerError } from '../../../shared/errors.js';
import type { DeletionScope } from '../../../shared/ipc/clinical-schemas.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { OpenProfile } from '../profile/open-profile.js';
import type { OwnStaffIdentity } from './staff-directory.js';

type ScopeProfile = Pick<OpenProfile, 'repositories' | 'db'>;

/**
 * What confirming a transcription of these messages deletes, for the confirmation to name:
 * how many messages (and how many someone else wrote), from how many devices (this one and
 * each device of the other person this device holds a session with; at least one), and
 * whether this user may do it at all (refusal says why not).
 */
export function deletionScope(
  profile: ScopeProfile,
  own: OwnStaffIdentity,
  conversationPeer: string | null,
  messages: readonly MessageRecord[],
  group: { name: string; members: readonly string[] } | null = null,
): DeletionScope {
  const fromOthers = messages.filter((m) => m.senderAccountId !== own.accountId).length;
  const devicesOf = (accountId: string) =>
    Math.max(
      1,
      profile.db
        .prepare('SELECT count(*) FROM sessions WHERE account_id = ?')
        .pluck()
        .get(accountId) as number,
    );
  // In a group: every device of every other member (as far as this device holds sessions).
  const others = group ? group.members.filter((m) => m !== own.accountId) : [];
  const peerDevices = group
    ? others.reduce((sum, m) => sum + devicesOf(m), 0)
    : conversationPeer === null
      ? 0
      : devicesOf(conversationPeer);
  const peerName = group
    ? `the ${others.length === 1 ? 'other member' : `${others.length} other members`} of ${group.name}`
    : conversationPeer === null
      ? null
      : (profile.repositories.contacts.get(conversationPeer)?.displayName ?? null);
  return {
    messages: messages.length,
    fromOthers,
    devices: 1 + peerDevices,
    peerDevices,
    peerName,
    refusal: refusalFor(own, fromOthers),
  };
}

/** docs/security.md: only a clinical role may delete other people's messages as transcribed. */
export function refusalFor(own: OwnStaffIdentity, fromOthers: number): string | null {
  if (fromOthers === 0 || isClinicalRole(own.role)) return null;
  return (
    `Only a clinician, nurse or pharmacist can confirm a transcription that deletes other ` +
    `people's messages, and your role in the practice directory is ` +
    `${own.role === null ? 'not known on this device' : `"${own.role}"`}. Ask the clinician ` +
    `who gave the advice to transcribe it, or select only your own messages.`
  );
}

export function assertMayDelete(own: OwnStaffIdentity, messages: readonly MessageRecord[]): void {
  const fromOthers = messages.filter((m) => m.senderAccountId !== own.accountId);
  const refusal = refusalFor(own, fromOthers.length);
  if (refusal !== null) {
    throw new MessengerError('forbidden', refusal, {
      reason: 'not_clinical',
      messageIds: fromOthers.map((m) => m.id),
    });
  }
}
