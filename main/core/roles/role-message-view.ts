import type { MessageRole } from '../../../shared/ipc/role-schemas.js';
import { ackLine, roleRecipientLine } from '../../../shared/roles/role-lines.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { RoleMessagesRepository } from '../db/repositories/role-messages-repository.js';

/**
 * What a message shows of its duty role: "To Duty doctor → Dr A Patel" on the sender's copy,
 * "Escalated from Duty doctor" on a copy that reached another role, and the acknowledgement line
 * with, for a holder who has not acknowledged yet, the Acknowledge button. Null for ordinary
 * messages.
 */
export function roleOfMessage(
  repo: Pick<RoleMessagesRepository, 'get' | 'alert'>,
  record: MessageRecord,
  names: { peerName: string | null; nameOf(accountId: string): string },
): MessageRole | null {
  const tagged = repo.get(record.id);
  if (!tagged) return null;
  const alert = tagged.alertId ? repo.alert(tagged.alertId) : null;
  return {
    name: tagged.roleName,
    escalatedFrom: tagged.escalatedFrom,
    recipients:
      tagged.historyTo != null
        ? `Earlier, ${roleRecipientLine(tagged.roleName, [tagged.historyTo || 'nobody']).replace(/^To/, 'to')}`
        : record.direction === 'outgoing' && names.peerName
          ? roleRecipientLine(tagged.roleName, [names.peerName])
          : tagged.firstSender
            ? `To ${tagged.roleName}${tagged.escalatedFrom ? ` (escalated from ${tagged.escalatedFrom})` : ''}, first sent by ${names.nameOf(tagged.firstSender)}`
            : null,
    ...(tagged.historyTo != null ? { history: true } : {}),
    ack: alert
      ? {
          state: alert.state,
          line: ackLine({
            state: alert.state,
            acknowledgedByName: alert.acknowledgedBy ? names.nameOf(alert.acknowledgedBy) : null,
            acknowledgedAt: alert.acknowledgedAt,
            escalatedTo: alert.escalateToName,
            escalatedAt: alert.escalatedAt,
          }),
          canAcknowledge: record.direction === 'incoming' && alert.acknowledgedAt === null,
        }
      : null,
  };
}
