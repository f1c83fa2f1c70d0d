import { roleRecipientLine } from '../../shared/roles/role-lines.js';
import type { CliIo } from './cli-command.js';
import { withCore } from './cli-profile.js';
import { RoleService } from '../core/roles/role-service.js';
import { auditSentDespitePid } from '../core/audit/pid-send-guard.js';
import { auditImagePidAnswer } from '../core/audit/image-pid-answer.js';
import type { SendFileInput } from '../core/messaging/attachments/attachment-transfers.js';

/**
 * `pmsg client send --role`: resolves the role to whoever is on duty now and sends to each of
 * them; prints who it reached. With nobody on duty it refuses, naming the escalation target,
 * unless --to-escalation says to send there (audited). With --file each holder gets the file over
 * their 1:1 session (one upload per holder, as for --to).
 */
export async function sendToRole(
  profileDir: string,
  io: CliIo,
  input: {
    role: string;
    text: string;
    /** A file for each holder (text is its caption); read and checked like --to's. */
    file: SendFileInput | null;
    urgent: boolean;
    requestAck: boolean;
    toEscalation: boolean;
    /** PID kinds sent anyway under the "warn" guard, audited per message as for --to. */
    pidKinds: Parameters<typeof auditSentDespitePid>[1]['kinds'];
    pidGuard: Parameters<typeof auditSentDespitePid>[1]['pidGuard'];
    /** The answer to "Does this show patient details?" for an image, audited per message. */
    showsPatientDetails: boolean | null;
  },
): Promise<number> {
  const result = await withCore(profileDir, io, async (core, profile) => {
    const sent = await new RoleService(core).send(input.role, input.text, {
      urgent: input.urgent,
      requestAck: input.requestAck,
      toEscalation: input.toEscalation,
      ...(input.file ? { file: input.file } : {}),
    });
    for (const holder of sent.holders) {
      const message = profile.repositories.messages.get(holder.messageId);
      if (!message) continue;
      auditSentDespitePid(profile.repositories.audit, {
        at: message.sentAt,
        actorAccountId: core.account.accountId,
        conversationId: message.conversationId,
        messageId: message.id,
        kinds: input.pidKinds,
        origin: 'cli',
        pidGuard: input.pidGuard,
      });
      if (input.showsPatientDetails !== null) {
        auditImagePidAnswer(profile.repositories.audit, {
          at: message.sentAt,
          actorAccountId: core.account.accountId,
          conversationId: message.conversationId,
          messageId: message.id,
          showsPatientDetails: input.showsPatientDetails,
        });
      }
    }
    core.start({ receive: false });
    const statuses = [];
    for (const holder of sent.holders) {
      statuses.push((await core.whenSent(holder.messageId)).status);
    }
    const attachment = sent.holders[0]
      ? profile.repositories.attachments.get(sent.holders[0].messageId)
      : null;
    return { sent, statuses, attachment };
  });
  const { sent, statuses, attachment } = result;
  io.out(
    JSON.stringify({
      role: sent.role.name,
      ...(sent.redirectedFrom ? { redirectedFrom: sent.redirectedFrom } : {}),
      to: roleRecipientLine(
        sent.role.name,
        sent.holders.map((h) => h.displayName),
      ),
      alertId: sent.alertId,
      holders: sent.holders.map((h, i) => ({
        accountId: h.accountId,
        displayName: h.displayName,
        messageId: h.messageId,
        status: statuses[i],
      })),
      escalation: sent.escalation,
      ...(attachment
        ? {
            attachment: {
              name: attachment.fileName,
              type: attachment.contentType,
              size: attachment.size,
              sha256: attachment.sha256,
            },
          }
        : {}),
    }),
  );
  return statuses.every((s) => s !== 'failed') ? 0 : 1;
}
