import type { RoleMessagesRepository } from '../db/repositories/role-messages-repository.js';
import type { RoleTag } from '../messaging/content-codec.js';

/**
 * The role tag an outgoing message carries inside its encrypted content, rebuilt from the
 * profile for every (re)send; null for a message not sent to a role.
 */
export function roleTagOf(repo: RoleMessagesRepository, messageId: string): RoleTag | null {
  const tagged = repo.get(messageId);
  if (!tagged) return null;
  const alert = tagged.alertId ? repo.alert(tagged.alertId) : null;
  return {
    v: 1,
    roleId: tagged.roleId,
    name: tagged.roleName,
    ...(tagged.escalatedFrom ? { escalatedFrom: tagged.escalatedFrom } : {}),
    ...(alert ? { alertId: alert.alertId, ackToken: alert.ackToken.toString('base64') } : {}),
  };
}

/** Stores the role tag of a received message (inside the receive transaction). */
export function recordReceivedRoleTag(
  repo: RoleMessagesRepository,
  messageId: string,
  tag: RoleTag,
  now: number,
): void {
  if (tag.alertId && tag.ackToken) {
    repo.insertAlert({
      alertId: tag.alertId,
      direction: 'incoming',
      ackToken: Buffer.from(tag.ackToken, 'base64'),
      escalateAt: null,
      escalateToName: null,
      createdAt: now,
    });
  }
  repo.tagMessage({
    messageId,
    roleId: tag.roleId,
    roleName: tag.name,
    escalatedFrom: tag.escalatedFrom ?? null,
    alertId: tag.alertId && tag.ackToken ? tag.alertId : null,
    firstSender: tag.firstSender ?? null,
  });
}
