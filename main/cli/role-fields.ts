import type { SqlDatabase } from '../core/db/encrypted-database.js';
import {
  RoleMessagesRepository,
  type RoleAlertRecord,
} from '../core/db/repositories/role-messages-repository.js';
import type { ContactsRepository } from '../core/db/repositories/contacts-repository.js';
import { ackLine } from '../../shared/roles/role-lines.js';

/**
 * What the CLI prints of a message's duty role (issue 15): the role it went to or came through,
 * and its acknowledgement ("Acknowledged by Dr A Patel at 14:02", "Escalated to All clinicians at
 * 14:12"). Empty for an ordinary message.
 */
export function roleFields(
  db: SqlDatabase,
  contacts: ContactsRepository,
  messageId: string,
): Record<string, unknown> {
  const repo = new RoleMessagesRepository(db);
  const tagged = repo.get(messageId);
  if (!tagged) return {};
  const alert: RoleAlertRecord | null = tagged.alertId ? repo.alert(tagged.alertId) : null;
  const by = alert?.acknowledgedBy
    ? (contacts.get(alert.acknowledgedBy)?.displayName ?? alert.acknowledgedBy)
    : null;
  return {
    role: tagged.roleName,
    ...(tagged.escalatedFrom ? { escalatedFrom: tagged.escalatedFrom } : {}),
    ...(alert
      ? {
          alertId: alert.alertId,
          ack: {
            state: alert.state,
            acknowledgedBy: by,
            acknowledgedAt: alert.acknowledgedAt,
            escalatedTo: alert.escalatedAt === null ? null : alert.escalateToName,
            escalatedAt: alert.escalatedAt,
            escalateAt: alert.escalateAt,
            line: ackLine({
              state: alert.state,
              acknowledgedByName: by,
              acknowledgedAt: alert.acknowledgedAt,
              escalatedTo: alert.escalateToName,
              escalatedAt: alert.escalatedAt,
            }),
          },
        }
      : {}),
  };
}
