import { z } from 'zod';
import { auditLimits } from '../../../shared/protocol/index.js';
import type { AuditRecord } from '../db/repositories/audit-repository.js';
import type { Repositories } from '../db/repositories/repositories.js';
import type { RelayAccount } from '../messaging/relay-account.js';
import type { RelayHttp } from '../messaging/relay/relay-http.js';
import { sealAuditEvent } from './audit-seal.js';

/**
 * Sends this device's audit events to the practice trail (docs/protocol.md §13), sealed to the
 * practice's audit readers, so a remote wipe or a deleted profile does not take them with it.
 * The local audit log stays; a cursor in the encrypted settings says how far it has been sent.
 * Nothing is lost while the relay or the readers are unavailable: the next flush resumes.
 */

const cursorKey = 'audit.practice.sentThrough';

/** What travels inside the sealed record: the local audit event, never message text. */
export interface PracticeAuditEvent {
  readonly v: 1;
  readonly localId: number;
  readonly at: number;
  readonly accountId: string;
  readonly deviceId: number;
  readonly actorAccountId: string | null;
  readonly action: string;
  readonly conversationId: string | null;
  readonly messageIds: readonly string[];
  readonly patientRefHash: string | null;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

export function toPracticeEvent(record: AuditRecord, account: RelayAccount): PracticeAuditEvent {
  return {
    v: 1,
    localId: record.id,
    at: record.at,
    accountId: account.accountId,
    deviceId: account.deviceId,
    actorAccountId: record.actorAccountId,
    action: record.action,
    conversationId: record.conversationId,
    messageIds: record.messageIds,
    patientRefHash: record.patientRefHash,
    details: record.details,
  };
}

export class PracticeAuditForwarder {
  private running: Promise<number> | null = null;

  constructor(
    private readonly repos: Repositories,
    private readonly account: RelayAccount,
    private readonly http: RelayHttp,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many events went out; one flush at a time (a second call joins the first). */
  flush(): Promise<number> {
    this.running ??= this.send().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async send(): Promise<number> {
    let sent = 0;
    for (;;) {
      const cursor = this.repos.settings.get(cursorKey, z.number().int()) ?? 0;
      const batch = this.repos.audit.after(cursor, auditLimits.maxRecordsPerAppend);
      if (batch.length === 0) return sent;
      const { readers } = await this.http.call('auditReaders');
      // No manager or admin enrolled yet: keep the events and try again later.
      if (readers.length === 0) return sent;
      const keys = readers.map((r) => ({
        ...r,
        identityKey: Buffer.from(r.identityKey, 'base64'),
      }));
      await this.http.call('auditAppend', {
        body: {
          records: batch.map((record) => ({
            clientRecordId: `local-${record.id}`,
            sealed: sealAuditEvent(
              Buffer.from(JSON.stringify(toPracticeEvent(record, this.account))),
              keys,
            ).toString('base64'),
          })),
        },
      });
      this.repos.settings.set(cursorKey, batch[batch.length - 1]!.id, this.now());
      sent += batch.length;
    }
  }
}
