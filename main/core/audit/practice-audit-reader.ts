import { createHash, createPublicKey, verify } from 'node:crypto';
import { IdentityKeyPair } from '@signalapp/libsignal-client';
import { z } from 'zod';
import {
  auditChainMetadata,
  auditLimits,
  type AuditRecordWire,
} from '../../../shared/protocol/index.js';
import type { Repositories } from '../db/repositories/repositories.js';
import type { RelayAccount } from '../messaging/relay-account.js';
import type { RelayHttp } from '../messaging/relay/relay-http.js';
import { openAuditEvent } from './audit-seal.js';

/**
 * Reads the practice audit trail (docs/protocol.md §13) as a manager or admin: every record,
 * the chain recomputed here (not taken from the relay's word), relay records' signatures
 * checked, device records opened with this device's identity key.
 */

export interface PracticeAuditEntry {
  readonly seq: number;
  /** When it happened: the device's clock for device events, the relay's for relay events. */
  readonly at: number;
  readonly source: 'device' | 'relay';
  /** Who appended it (device records) or whom it is about (relay records), per the relay. */
  readonly accountId: string;
  readonly deviceId: number;
  readonly action: string;
  readonly actorAccountId: string | null;
  readonly conversationId: string | null;
  readonly messageIds: readonly string[];
  readonly patientRefHash: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  /** False when this device cannot open it (sealed before it joined) or it is malformed. */
  readonly readable: boolean;
}

export interface PracticeAuditTrail {
  readonly intact: boolean;
  /** The seq of the first record missing, altered or out of order; null when intact. */
  readonly brokenAt: number | null;
  readonly records: number;
  readonly entries: readonly PracticeAuditEntry[];
}

const headKey = 'audit.practice.verifiedHead';
const headSchema = z.object({ seq: z.number().int(), hash: z.string() });
const eventSchema = z.object({
  at: z.number(),
  accountId: z.string(),
  deviceId: z.number(),
  actorAccountId: z.string().nullable(),
  action: z.string(),
  conversationId: z.string().nullable(),
  messageIds: z.array(z.string()),
  patientRefHash: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
const relayEventSchema = z.looseObject({ kind: z.string(), at: z.number() });

const sha256Hex = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/**
 * What a reader has verified so far in this session: the records from the anchor to `lastSeq`,
 * checked link by link, so the next read fetches and checks only what came after
 * (PracticeAuditCache). Never written to disk; the pinned head is (headKey).
 */
export interface VerifiedTrail {
  readonly anchor: { seq: number; hash: string };
  readonly relayKey: string;
  readonly prev: string;
  readonly lastSeq: number;
  readonly brokenAt: number | null;
  readonly records: number;
  readonly entries: readonly PracticeAuditEntry[];
}

export async function readPracticeAudit(
  http: RelayHttp,
  repos: Repositories,
  account: RelayAccount,
  now: () => number = Date.now,
): Promise<PracticeAuditTrail> {
  return toTrail(await readVerifiedTrail(http, repos, account, now, null));
}

function toTrail(verified: VerifiedTrail): PracticeAuditTrail {
  return {
    intact: verified.brokenAt === null,
    brokenAt: verified.brokenAt,
    records: verified.records,
    entries: verified.entries,
  };
}

/**
 * Reads the records after `since` (all of them when null) and checks them on from where `since`
 * ended. Falls back to a whole read when the relay's anchor moved (retention) since then.
 */
export async function readVerifiedTrail(
  http: RelayHttp,
  repos: Repositories,
  account: RelayAccount,
  now: () => number,
  since: VerifiedTrail | null,
): Promise<VerifiedTrail> {
  const own = repos.ownIdentity.get();
  if (!own) throw new Error('This profile has no Signal identity.');
  const identityPrivateKey = IdentityKeyPair.deserialize(
    Buffer.from(own.identityKeyPair),
  ).privateKey;
  const self = { accountId: account.accountId, deviceId: account.deviceId, identityPrivateKey };

  const records: AuditRecordWire[] = [];
  let anchor = { seq: 0, hash: '' };
  let relayKey = '';
  for (let after = since?.lastSeq ?? 0, first = true; ; first = false) {
    const page = await http.call('auditRead', {
      body: { afterSeq: after, limit: auditLimits.maxRecordsPerRead },
    });
    if (first) ({ anchor, relayKey } = page);
    records.push(...page.records);
    if (page.records.length < auditLimits.maxRecordsPerRead) break;
    after = page.records[page.records.length - 1]!.seq;
  }
  if (
    since !== null &&
    (anchor.seq !== since.anchor.seq ||
      anchor.hash !== since.anchor.hash ||
      relayKey !== since.relayKey)
  ) {
    return readVerifiedTrail(http, repos, account, now, null);
  }

  const key = createPublicKey({
    key: Buffer.from(relayKey, 'base64'),
    format: 'der',
    type: 'spki',
  });
  let brokenAt: number | null = since?.brokenAt ?? null;
  let prev = since?.prev ?? anchor.hash;
  let lastSeq = since?.lastSeq ?? anchor.seq;
  const entries: PracticeAuditEntry[] = [...(since?.entries ?? [])];
  for (const record of records) {
    const payload = Buffer.from(record.payload, 'base64');
    const expected = sha256Hex(`${prev}${sha256Hex(payload)}${auditChainMetadata(record)}`);
    const signed =
      record.source === 'device' ||
      (record.signature !== null &&
        verify(
          null,
          Buffer.from(record.hash, 'hex'),
          key,
          Buffer.from(record.signature, 'base64'),
        ));
    if (
      brokenAt === null &&
      (record.seq <= lastSeq || record.prevHash !== prev || record.hash !== expected || !signed)
    ) {
      brokenAt = record.seq;
    }
    prev = record.hash;
    lastSeq = record.seq;
    entries.push(toEntry(record, payload, self));
  }

  // The newest record verified before must still be there, unchanged, unless retention took it.
  // (An incremental read starts after it: its successor's prevHash is checked against it.)
  const pinned = repos.settings.get(headKey, headSchema);
  if (since === null && brokenAt === null && pinned && pinned.seq > anchor.seq) {
    const same = records.find((r) => r.seq === pinned.seq);
    if (!same || same.hash !== pinned.hash) brokenAt = pinned.seq;
  }
  if (brokenAt === null && lastSeq > 0) {
    repos.settings.set(headKey, { seq: lastSeq, hash: prev }, now());
  }
  return {
    anchor,
    relayKey,
    prev,
    lastSeq,
    brokenAt,
    records: (since?.records ?? 0) + records.length,
    entries,
  };
}

/**
 * The manager's view keeps what it verified while unlocked: a refresh fetches and checks only the
 * records appended since, and "Load older entries" pages through what is here without asking the
 * relay. The whole trail is read and checked again when the view is opened afresh, after
 * `fullEveryMs`, and whenever retention moved the anchor, so an old record altered on the relay
 * meanwhile is still caught then.
 */
export class PracticeAuditCache {
  private verified: VerifiedTrail | null = null;
  private fullAt = -Infinity;

  constructor(private readonly fullEveryMs = 5 * 60_000) {}

  async read(
    http: RelayHttp,
    repos: Repositories,
    account: RelayAccount,
    now: () => number,
    mode: 'full' | 'newer' | 'cached',
  ): Promise<PracticeAuditTrail> {
    const stale = performance.now() - this.fullAt > this.fullEveryMs;
    if (mode === 'cached' && this.verified && !stale) return toTrail(this.verified);
    const since = mode === 'full' || stale ? null : this.verified;
    const verified = await readVerifiedTrail(http, repos, account, now, since);
    if (since === null) this.fullAt = performance.now();
    this.verified = verified;
    return toTrail(verified);
  }

  forget(): void {
    this.verified = null;
  }
}

function toEntry(
  record: AuditRecordWire,
  payload: Buffer,
  self: Parameters<typeof openAuditEvent>[1],
): PracticeAuditEntry {
  const base = {
    seq: record.seq,
    source: record.source,
    accountId: record.accountId,
    deviceId: record.deviceId,
  };
  const unreadable: PracticeAuditEntry = {
    ...base,
    at: record.createdAt,
    action: 'unreadable',
    actorAccountId: null,
    conversationId: null,
    messageIds: [],
    patientRefHash: null,
    details: {},
    readable: false,
  };
  try {
    if (record.source === 'relay') {
      const event = relayEventSchema.parse(JSON.parse(payload.toString('utf8')));
      const { kind, at, ...details } = event;
      return {
        ...unreadable,
        at,
        action: kind,
        actorAccountId: null,
        details,
        readable: true,
      };
    }
    const opened = openAuditEvent(payload, self);
    if (!opened) return unreadable;
    const event = eventSchema.parse(JSON.parse(opened.toString('utf8')));
    // The relay vouches for who appended it; an event claiming another sender is not believed.
    if (event.accountId !== record.accountId || event.deviceId !== record.deviceId) {
      return { ...unreadable, action: 'sender_mismatch' };
    }
    return { ...base, ...event, source: 'device', readable: true };
  } catch {
    return unreadable;
  }
}
