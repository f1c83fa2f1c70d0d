import type { ProfessionalIds, RelayAuditKind, Role } from '../../shared/protocol/index.js';
import type { AuditRow, AuditVerification } from './audit-chain.js';
import type {
  PatientKeyHolder,
  PatientKeyStoreResult,
  PatientKeyUpload,
  StoredPatientKeys,
} from './patient-key-rules.js';
import type { OrgQuota, OrgUsage, QuotaBreach } from './org-quota.js';

export type { OrgQuota, OrgUsage, QuotaBreach };
export type { AuditRow, AuditVerification };

/**
 * Everything the relay keeps, behind one interface so that a PostgreSQL backend can replace the
 * embedded SQLite one. Methods are async for that reason even where SQLite is synchronous.
 * Binary values are Uint8Array; the HTTP layer does base64. Every method that accepts work which
 * a client is told is done (enqueue, redeem, key upload) must have committed durably on return.
 */
export interface RelayStorage {
  issueEnrolmentCode(input: IssueCodeInput): Promise<IssuedCode>;
  /** Whether a code is redeemable now, without redeeming it (checked again by redeem). */
  checkEnrolmentCode(codeHash: Uint8Array, now: number): Promise<CodeCheck>;
  /** Atomically checks the code, creates the device with its keys and marks the code used. */
  redeemEnrolmentCode(input: RedeemInput): Promise<RedeemResult>;
  /** Looks a device up by the SHA-256 of its bearer token, revoked ones included. */
  findDeviceByTokenHash(tokenHash: Uint8Array): Promise<DeviceRecord | null>;
  markWipeDelivered(devicePk: number, at: number): Promise<void>;
  touchDevice(devicePk: number, at: number): Promise<void>;

  getAccount(accountId: string): Promise<AccountRecord | null>;
  /** Active accounts of an organisation with their active devices. */
  listDirectory(org: string): Promise<AccountWithDevices[]>;
  /** An account's active devices, for the account's own devices (GET /v1/devices). */
  listAccountDevices(accountId: string): Promise<AccountDevice[]>;
  /** Every account in every state, for the admin CLI. */
  listAllAccounts(): Promise<AdminAccount[]>;

  /** Consumes one one-time EC and one one-time Kyber prekey per device returned. */
  takePreKeyBundles(accountId: string, deviceId: number | null): Promise<StoredBundle[]>;
  countPreKeys(devicePk: number): Promise<{ preKeys: number; kyberPreKeys: number }>;
  storeKeys(devicePk: number, keys: KeyUpload): Promise<void>;

  /**
   * Queues one envelope per recipient device, all or none, after checking that the sender named
   * exactly the recipient's active devices with their current registration ids.
   */
  enqueue(input: EnqueueInput): Promise<EnqueueResult>;
  /**
   * One ciphertext for the devices of several accounts (PUT /v1/messages/multi-recipient): every account is
   * checked as `enqueue` checks one, and either every named device gets its copy or none does.
   */
  enqueueMulti(input: MultiEnqueueInput): Promise<MultiEnqueueResult>;
  /** Queued envelopes of a device with id > afterId, oldest first. */
  fetchQueue(devicePk: number, afterId: number, limit: number): Promise<StoredEnvelope[]>;
  /** Deletes acked envelopes; ids not queued for this device are ignored. */
  ack(devicePk: number, ids: readonly number[]): Promise<number>;

  revoke(input: RevokeInput): Promise<RevokedDevice[]>;
  /** Gives an account another role, recorded in its organisation's audit chain (one transaction). */
  changeRole(input: RoleChangeInput): Promise<RoleChangeResult>;
  /** Revocations recorded since a sequence number, by any process sharing the store. */
  revocationsSince(seq: number): Promise<{ seq: number; devices: RevokedDevice[] }>;
  /** Active devices (with identity keys) of the organisation's accounts in these roles. */
  listAuditReaders(
    org: string,
    roles: readonly string[],
  ): Promise<{ accountId: string; deviceId: number; identityKey: Uint8Array }[]>;
  /** Appends a device's sealed audit records to its organisation's chain (one transaction). */
  appendAudit(input: AuditAppendInput): Promise<{ appended: number[]; duplicates: string[] }>;
  /**
   * A page of an organisation's audit chain, with its anchor and the relay's signing key: the
   * `limit` oldest records above `afterSeq`, or with `beforeSeq` the `limit` newest records
   * between them; oldest first either way.
   */
  readAudit(org: string, range: AuditReadRange): Promise<AuditPage>;
  /** Recomputes an organisation's chain and relay records' signatures from its anchor. */
  verifyAudit(org: string): Promise<AuditVerification>;
  /** Organisations that have an audit chain, for a relay-wide check. */
  auditOrgs(): Promise<string[]>;
  /** Removes audit records older than the cutoff (retention), keeping the chain verifiable. */
  pruneAudit(olderThan: number): Promise<number>;
  /** Appends a relay record (enrolment, revocation, wipe) to the account's organisation's chain. */
  appendRelayAudit(input: RelayAuditInput): Promise<void>;
  /** This device's sealed copies of the patient-reference key and the newest version (§13.1). */
  patientKeys(org: string, accountId: string, deviceId: number): Promise<StoredPatientKeys>;
  /** The organisation's active key-holding devices and the versions each was given. */
  patientKeyHolders(org: string): Promise<PatientKeyHolder[]>;
  /** Stores sealed copies of one key version, all or none, if patient-key-rules.ts allows. */
  storePatientKeys(upload: PatientKeyUpload): Promise<PatientKeyStoreResult>;
  /** Forgets duplicate-detection records older than the cutoff. */
  pruneSentLog(olderThan: number): Promise<number>;
  /** An organisation's quotas (all null when none is set) and what it uses now. */
  orgQuota(org: string, now: number): Promise<{ quota: OrgQuota; usage: OrgUsage }>;
  /** Replaces an organisation's quotas (null: no limit). */
  setOrgQuota(org: string, quota: OrgQuota): Promise<void>;
  /**
   * Counts a new attachment blob's size against its organisation's blob quota until it expires
   * or is released; refused (nothing counted) when the quota would be exceeded.
   */
  reserveBlob(input: BlobReservation): Promise<{ ok: true } | ({ ok: false } & QuotaBreach)>;
  /** The blob is gone before its expiry: its size no longer counts. */
  releaseBlob(blobId: string): Promise<void>;
  close(): Promise<void>;
  /**
   * Present when several relay processes (nodes) may serve this store at once (PostgreSQL):
   * how they tell each other about new envelopes, revocations and device connections.
   */
  readonly cluster?: StorageCluster;
}

/** Events between relay nodes sharing one store. */
export interface StorageCluster {
  /** Starts receiving other nodes' events; resolves once subscribed. */
  listen(events: ClusterEvents): Promise<void>;
  /**
   * Tells every other node that a device just connected here; resolves to this connection's
   * place in a store-wide order, so that of two sockets of one device the newer one wins on
   * every node.
   */
  announceConnection(devicePk: number): Promise<number>;
}
export interface ClusterEvents {
  /** Envelopes were committed for these devices by another node. */
  queued(devicePks: readonly number[]): void;
  /** Some process recorded a revocation: read revocationsSince now. */
  revoked(): void;
  /** A device connected to another node; `order` as returned by announceConnection there. */
  connected(devicePk: number, order: number): void;
  /** The event stream was interrupted and is back: events in between may have been missed. */
  resynchronise(): void;
}

export interface IssueCodeInput {
  codeHash: Uint8Array;
  expiresAt: number;
  now: number;
  /** A new account, or a further device of an existing one. */
  account:
    ({ displayName: string; role: Role; org: string } & ProfessionalIds) | { accountId: string };
}
export interface IssuedCode extends ProfessionalIds {
  accountId: string;
  displayName: string;
  role: Role;
  org: string;
}

export interface DeviceKeys {
  registrationId: number;
  identityKey: Uint8Array;
  signedPreKey: SignedKey;
  kyberLastResortPreKey: SignedKey;
  preKeys: OneTimeKey[];
  kyberPreKeys: SignedKey[];
}
export interface OneTimeKey {
  keyId: number;
  publicKey: Uint8Array;
}
export interface SignedKey extends OneTimeKey {
  signature: Uint8Array;
}
export interface RedeemInput {
  codeHash: Uint8Array;
  tokenHash: Uint8Array;
  deviceName: string | null;
  keys: DeviceKeys;
  now: number;
}
export type RedeemResult =
  | { ok: true; account: AccountRecord; deviceId: number }
  | { ok: false; reason: 'invalid' | 'used' | 'expired' | 'device_limit' | 'account_revoked' }
  /** The organisation's device quota is used up. */
  | ({ ok: false; reason: 'org_quota' } & QuotaBreach);

export interface BlobReservation {
  blobId: string;
  org: string;
  size: number;
  expiresAt: number;
  now: number;
}

export type CodeCheck =
  { ok: true; accountId: string } | { ok: false; reason: 'invalid' | 'used' | 'expired' };

export type AccountStatus = 'pending' | 'active' | 'revoked';
export interface AccountRecord extends ProfessionalIds {
  accountId: string;
  displayName: string;
  role: Role;
  org: string;
  status: AccountStatus;
}
export interface DeviceRecord {
  devicePk: number;
  accountId: string;
  deviceId: number;
  registrationId: number;
  identityKey: Uint8Array;
  tokenHash: Uint8Array;
  status: 'active' | 'revoked';
  wipe: boolean;
  /** Set when the person removed this device from another of their own devices (§2a). */
  removedBy: RemovedBy | null;
  account: AccountRecord;
}
/** The person's own device that removed another of theirs, as named when it did. */
export interface RemovedBy {
  deviceId: number;
  name: string | null;
}
export interface AccountWithDevices extends AccountRecord {
  devices: { deviceId: number; registrationId: number; name: string | null }[];
}
export interface AccountDevice {
  deviceId: number;
  name: string | null;
  createdAt: number;
  lastSeenAt: number | null;
}
export interface AdminAccount extends AccountRecord {
  createdAt: number;
  devices: {
    deviceId: number;
    name: string | null;
    status: 'active' | 'revoked';
    wipe: boolean;
    wipeDeliveredAt: number | null;
    createdAt: number;
    lastSeenAt: number | null;
    queued: number;
  }[];
  pendingCodes: { expiresAt: number }[];
}

export interface StoredBundle {
  deviceId: number;
  registrationId: number;
  identityKey: Uint8Array;
  signedPreKey: SignedKey;
  preKey: OneTimeKey | null;
  kyberPreKey: SignedKey;
  kyberPreKeyIsLastResort: boolean;
}
export interface KeyUpload {
  preKeys?: OneTimeKey[];
  kyberPreKeys?: SignedKey[];
  signedPreKey?: SignedKey;
  kyberLastResortPreKey?: SignedKey;
}

export interface EnqueueInput {
  senderDevicePk: number;
  senderAccountId: string;
  senderDeviceId: number;
  /** Recipients outside the sender's organisation are treated as unknown. */
  senderOrg: string;
  recipientAccountId: string;
  clientMessageId: string;
  clientTimestamp: number | null;
  envelopes: { deviceId: number; registrationId: number; type: number; content: Uint8Array }[];
  maxQueuedPerDevice: number;
  /** The sending account's share of each recipient device's queue. */
  maxQueuedPerSender: number;
  /** A sender with fewer queued than this for a device passes even a full queue. */
  queueReservedPerSender: number;
  now: number;
}
export type EnqueueResult =
  | { ok: true; queued: QueuedFor[]; duplicates: number[] }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'mismatched'; missingDevices: number[]; extraDevices: number[] }
  | { ok: false; reason: 'stale'; staleDevices: number[] }
  | { ok: false; reason: 'queue_full'; fullDevices: number[] }
  /** The organisation's quota of queued envelopes or bytes would be exceeded. */
  | ({ ok: false; reason: 'org_quota' } & QuotaBreach);
export interface MultiEnqueueInput extends Omit<EnqueueInput, 'recipientAccountId' | 'envelopes'> {
  type: number;
  content: Uint8Array;
  recipients: { accountId: string; devices: { deviceId: number; registrationId: number }[] }[];
}
/** Failures name every account that failed in the first (most basic) way any did. */
export type MultiEnqueueResult =
  | { ok: true; accounts: { accountId: string; queued: QueuedFor[]; duplicates: number[] }[] }
  | { ok: false; reason: 'not_found'; accountIds: string[] }
  | {
      ok: false;
      reason: 'mismatched';
      accounts: { accountId: string; missingDevices: number[]; extraDevices: number[] }[];
    }
  | { ok: false; reason: 'stale'; accounts: { accountId: string; staleDevices: number[] }[] }
  | { ok: false; reason: 'queue_full'; accounts: { accountId: string; fullDevices: number[] }[] }
  | ({ ok: false; reason: 'org_quota' } & QuotaBreach);
export interface QueuedFor {
  deviceId: number;
  devicePk: number;
  /**
   * The envelope's queue id and the highest id queued for the device before it, given only by
   * stores whose ids follow commit order for everything that writes the queue (SQLite: one
   * writer at a time, AUTOINCREMENT). With them a connected device can be sent the envelope
   * straight from the commit without reading the queue (DeviceConnection.offer); without them
   * the connection reads its queue.
   */
  queue?: { id: number; previousId: number };
}

export interface StoredEnvelope {
  id: number;
  senderAccountId: string;
  senderDeviceId: number;
  clientMessageId: string;
  type: number;
  content: Uint8Array;
  clientTimestamp: number | null;
  serverTimestamp: number;
}

export interface RevokeInput {
  accountId: string;
  /** Only this device; null revokes the account and all its devices. */
  deviceId: number | null;
  wipe: boolean;
  now: number;
  /** The person's own device that asked for the removal; absent when IT or an admin revoked. */
  removedBy?: RemovedBy;
}
export interface RoleChangeInput {
  accountId: string;
  role: Role;
  now: number;
}
/** `from` equal to `to` changed (and recorded) nothing. */
export type RoleChangeResult =
  { ok: true; from: Role; to: Role } | { ok: false; reason: 'not_found' | 'revoked' };

export interface RevokedDevice {
  devicePk: number;
  accountId: string;
  deviceId: number;
  wipe: boolean;
  /** Set when the person removed it from another of their devices (§2a). */
  removedBy: RemovedBy | null;
}

export interface AuditAppendInput {
  org: string;
  accountId: string;
  deviceId: number;
  records: readonly { clientRecordId: string; sealed: Uint8Array }[];
  now: number;
}
/** Which records a trail read wants: above `afterSeq`, and below `beforeSeq` unless null. */
export interface AuditReadRange {
  afterSeq: number;
  beforeSeq: number | null;
  limit: number;
}
export interface AuditPage {
  anchor: { seq: number; hash: string };
  relayKey: Uint8Array;
  records: AuditRow[];
}
export interface RelayAuditInput {
  kind: RelayAuditKind;
  accountId: string;
  deviceId: number;
  now: number;
  /** Flat facts of the record beyond who and when (the wipe flag, the previous role). */
  details?: Record<string, string | number | boolean>;
}
