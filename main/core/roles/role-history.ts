import {
  encodeContent,
  maxRoleHistoryItems,
  type ContentBody,
} from '../messaging/content-codec.js';
import type { MessagingCore } from '../messaging/messaging-core.js';
import type { RoleMessagesRepository } from '../db/repositories/role-messages-repository.js';

/** How far back a new holder is given the role conversation (and never past retention). */
export const roleHistoryWindowMs = 24 * 3600_000;

/** What an escalation copy or the role's history says in place of a file it cannot carry. */
export function fileNotice(file: { readonly name: string }): string {
  return `File "${file.name}" went to the holders on duty; ask the sender for it.`;
}

/** One role-history content stays well inside one relay envelope (64 KiB of ciphertext). */
const maxHistoryBytes = 48_000;

/**
 * The sender's side of a role conversation's history (docs/protocol.md §14, "A new holder sees
 * the history"): the relay never reads content, so the device that sent the earlier messages
 * gives a holder who lacks them the recent ones, over their ordinary 1:1 session, before its next
 * message to the role reaches them. Who already has each send is recorded, so each holder gets
 * each message once; what retention removed here is not shared.
 */
export class RoleHistorySharer {
  constructor(
    private readonly core: MessagingCore,
    private readonly repo: RoleMessagesRepository,
    private readonly now: () => number,
  ) {}

  private name(accountId: string): string {
    return this.core.openProfile.repositories.contacts.get(accountId)?.displayName ?? accountId;
  }

  /**
   * Shares with each holder the recent sends to the role they do not have. Returns how many
   * messages each holder was given (holders given none are left out).
   */
  async shareWith(
    role: { readonly roleId: string; readonly name: string },
    holderAccountIds: readonly string[],
  ): Promise<Map<string, number>> {
    const now = this.now();
    const sends = this.repo
      .recentSends(role.roleId, now - roleHistoryWindowMs, now, maxRoleHistoryItems)
      .reverse();
    const shared = new Map<string, number>();
    for (const holder of holderAccountIds) {
      if (holder === this.core.account.accountId) continue;
      const missing = sends.filter((s) => !s.recipients.includes(holder));
      if (missing.length === 0) continue;
      const body = this.historyBody(role, missing);
      if (body.items.length === 0) continue;
      await this.core.actions.sendControl(holder, body, () => {
        for (const item of body.items) {
          const send = missing.find((s) => s.messageId === item.id);
          if (send) this.repo.addRecipients(send.sendId, [holder]);
        }
      });
      shared.set(holder, body.items.length);
    }
    return shared;
  }

  /** The newest of the missing sends that fit in one content, oldest first. */
  private historyBody(
    role: { readonly roleId: string; readonly name: string },
    sends: ReturnType<RoleMessagesRepository['recentSends']>,
  ): Extract<ContentBody, { kind: 'role-history' }> {
    const items = sends.map((send) => {
      const alert = send.alertId ? this.repo.alert(send.alertId) : null;
      return {
        id: send.messageId,
        sentAt: send.sentAt,
        text: send.fileName
          ? [send.body, fileNotice({ name: send.fileName })].filter((t) => t !== '').join('\n')
          : send.body,
        ...(send.urgent ? { urgent: true } : {}),
        to: send.recipients.slice(0, 50).map((id) => this.name(id)),
        ...(alert ? { alertId: alert.alertId, ackToken: alert.ackToken.toString('base64') } : {}),
      };
    });
    const body = (list: typeof items): Extract<ContentBody, { kind: 'role-history' }> => ({
      kind: 'role-history',
      role: { v: 1, roleId: role.roleId, name: role.name },
      items: list,
    });
    const fits = (list: typeof items) =>
      encodeContent({ v: 1, id: 'sizecheck00', sentAt: 0, ...body(list) }).length <=
      maxHistoryBytes;
    let kept = items.filter((item) => fits([item]));
    while (kept.length > 1 && !fits(kept)) kept = kept.slice(1);
    return body(kept);
  }
}
