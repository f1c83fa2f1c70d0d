import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { auditChainMetadata, type AuditBreak } from '../../shared/protocol/index.js';

/**
 * The practice audit chain's arithmetic (docs/protocol.md §13), the same for every backend and
 * for `pmsg relay audit verify`: a record's hash, and a check that walks an organisation's
 * records from its anchor and stops at the first that does not fit.
 */

export type { AuditBreak };

export interface AuditRow {
  seq: number;
  source: 'device' | 'relay';
  accountId: string;
  deviceId: number;
  createdAt: number;
  payload: Uint8Array;
  prevHash: string;
  hash: string;
  signature: Uint8Array | null;
}

export interface AuditVerification {
  intact: boolean;
  records: number;
  brokenAt: number | null;
  headSeq: number;
  headHash: string;
  /** Where the retained chain starts (records up to it were removed by retention). */
  anchorSeq: number;
  /** Set when broken. */
  reason?: AuditBreak;
}

const sha256Hex = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** The chain hash of one record; the client computes the same (main/core/audit). */
export function auditRecordHash(
  prevHash: string,
  payload: Uint8Array,
  meta: Parameters<typeof auditChainMetadata>[0],
): string {
  return sha256Hex(`${prevHash}${sha256Hex(payload)}${auditChainMetadata(meta)}`);
}

/** Checks one organisation's records in seq order; feed rows with `next` until it returns false. */
export class AuditChainCheck {
  private prev: string;
  private lastSeq: number;
  private count = 0;
  private broken: { seq: number; reason: AuditBreak } | null = null;
  private readonly key: KeyObject | null;
  private readonly anchorSeq: number;

  /** `relayKey`: the relay's Ed25519 public key (SPKI DER), or null when it never made one. */
  constructor(anchor: { seq: number; hash: string }, relayKey: Uint8Array | null) {
    this.prev = anchor.hash;
    this.lastSeq = anchor.seq;
    this.anchorSeq = anchor.seq;
    this.key = relayKey
      ? createPublicKey({ key: Buffer.from(relayKey), format: 'der', type: 'spki' })
      : null;
  }

  /** Checks the next record; false once the chain is broken (the rest need not be read). */
  next(row: AuditRow): boolean {
    if (this.broken) return false;
    const reason = this.fault(row);
    if (reason) {
      this.broken = { seq: row.seq, reason };
      return false;
    }
    this.prev = row.hash;
    this.lastSeq = row.seq;
    this.count += 1;
    return true;
  }

  result(): AuditVerification {
    const head = {
      records: this.count,
      headSeq: this.lastSeq,
      headHash: this.prev,
      anchorSeq: this.anchorSeq,
    };
    return this.broken
      ? { intact: false, brokenAt: this.broken.seq, reason: this.broken.reason, ...head }
      : { intact: true, brokenAt: null, ...head };
  }

  private fault(row: AuditRow): AuditBreak | null {
    if (row.seq <= this.lastSeq) return 'out_of_order';
    if (row.prevHash !== this.prev) return 'missing_predecessor';
    if (row.hash !== auditRecordHash(this.prev, row.payload, row)) return 'altered';
    if (row.source === 'relay') {
      const signed =
        this.key !== null &&
        row.signature !== null &&
        verify(null, Buffer.from(row.hash, 'hex'), this.key, Buffer.from(row.signature));
      if (!signed) return 'bad_signature';
    }
    return null;
  }
}
