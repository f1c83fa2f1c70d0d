import { randomBytes } from 'node:crypto';
import { IdentityKeyPair } from '@signalapp/libsignal-client';
import { z } from 'zod';
import {
  patientKeyLimits,
  patientKeyRoles,
  patientKeyRotatorRoles,
} from '../../../shared/protocol/index.js';
import { MessengerError } from '../../../shared/errors.js';
import type { DeviceAuditKind } from '../../../shared/device-audit-kinds.js';
import type { AuditRepository } from '../db/repositories/audit-repository.js';
import type { Repositories } from '../db/repositories/repositories.js';
import type { RelayAccount } from '../messaging/relay-account.js';
import { RelayRequestError, type RelayHttp } from '../messaging/relay/relay-http.js';
import {
  practicePatientKeys,
  storePracticePatientKeys,
  type PracticePatientKeys,
} from '../transcription/patient-ref-hash.js';
import { openAuditEvent, sealAuditEvent, type AuditReaderDevice } from './audit-seal.js';

/**
 * Keeps this device's copy of the practice's patient-reference key (docs/protocol.md §13.1) in
 * step with the relay, which holds only copies sealed to each key-holding device's identity key
 * (the audit seal, audit-seal.ts). The first key-holding device to need a key makes version 1; a
 * manager or admin rotates by making the next version; any holder shares the versions it has with
 * key-holding devices that lack them (a new PC, a new starter). Reception devices never get it:
 * the relay refuses them and refuses copies sealed to them. Old versions are kept, so entries
 * hashed before a rotation are still found.
 */

const envelopeSchema = z.object({
  purpose: z.literal('pmsg patient-reference key'),
  org: z.string(),
  version: z.number().int().min(1),
  key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
});

export interface PatientKeySyncResult {
  /** The versions this device now holds. */
  readonly versions: readonly number[];
  /** The practice's newest version (0: none yet, or this device may not hold the key). */
  readonly latest: number;
  /** Sealed copies this device gave to other devices. */
  readonly shared: number;
}

export const patientKeyRotatedAction = 'audit.patient_key_rotated' satisfies DeviceAuditKind;

/** The rotation in this device's audit (and so the practice trail): the version, never the key. */
export function auditPatientKeyRotated(
  audit: Pick<AuditRepository, 'append'>,
  rotated: { at: number; actorAccountId: string; version: number },
): void {
  audit.append({
    at: rotated.at,
    actorAccountId: rotated.actorAccountId,
    action: patientKeyRotatedAction,
    conversationId: null,
    messageIds: [],
    details: { version: rotated.version },
  });
}

export function holdsPatientKey(role: string): boolean {
  return (patientKeyRoles as readonly string[]).includes(role);
}

export class PatientKeySync {
  private running: Promise<PatientKeySyncResult> | null = null;

  constructor(
    private readonly repos: Repositories,
    private readonly account: RelayAccount,
    private readonly http: RelayHttp,
    private readonly now: () => number = Date.now,
  ) {}

  /** One sync at a time; a second call joins the first. */
  sync(): Promise<PatientKeySyncResult> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A new key version sealed to every key-holding device; managers and admins only. */
  async rotate(): Promise<{ version: number }> {
    if (!(patientKeyRotatorRoles as readonly string[]).includes(this.account.role)) {
      throw new MessengerError(
        'forbidden',
        `Only ${patientKeyRotatorRoles.join(' and ')} accounts may rotate the practice's patient-reference key.`,
      );
    }
    const before = await this.sync();
    const version = before.latest + 1;
    await this.createVersion(version, randomBytes(32).toString('base64'));
    auditPatientKeyRotated(this.repos.audit, {
      at: this.now(),
      actorAccountId: this.account.accountId,
      version,
    });
    return { version };
  }

  private async run(): Promise<PatientKeySyncResult> {
    if (!holdsPatientKey(this.account.role)) return { versions: [], latest: 0, shared: 0 };
    let latest: number;
    try {
      latest = await this.fetchOwn();
    } catch (error) {
      // The relay knows a role change this profile has not heard of yet (now reception).
      if (error instanceof RelayRequestError && error.code === 'forbidden') {
        return { versions: [], latest: 0, shared: 0 };
      }
      throw error;
    }
    if (latest === 0) {
      try {
        await this.createVersion(1, randomBytes(32).toString('base64'));
      } catch (error) {
        // Another device made version 1 first: use theirs.
        if (!(error instanceof RelayRequestError && error.code === 'patient_key_conflict')) {
          throw error;
        }
      }
      latest = await this.fetchOwn();
    }
    const shared = await this.shareMissing();
    return { versions: this.heldVersions(), latest, shared };
  }

  private self() {
    const own = this.repos.ownIdentity.get();
    if (!own) throw new Error('This profile has no Signal identity.');
    return {
      accountId: this.account.accountId,
      deviceId: this.account.deviceId,
      identityPrivateKey: IdentityKeyPair.deserialize(Buffer.from(own.identityKeyPair)).privateKey,
    };
  }

  private heldVersions(): number[] {
    return Object.keys(practicePatientKeys(this.repos.settings).keys)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** Opens this device's sealed copies and keeps any version not held yet; the newest version. */
  private async fetchOwn(): Promise<number> {
    const answer = await this.http.call('patientKeys');
    const self = this.self();
    const held: PracticePatientKeys = {
      keys: { ...practicePatientKeys(this.repos.settings).keys },
    };
    let changed = false;
    for (const envelope of answer.envelopes) {
      if (held.keys[String(envelope.version)] !== undefined) continue;
      const opened = openAuditEvent(Buffer.from(envelope.sealed, 'base64'), self);
      if (!opened) continue;
      const parsed = envelopeSchema.safeParse(JSON.parse(opened.toString('utf8')));
      // A copy for another practice or another version is not this one's key.
      if (
        !parsed.success ||
        parsed.data.org !== this.account.org ||
        parsed.data.version !== envelope.version
      ) {
        continue;
      }
      held.keys[String(envelope.version)] = parsed.data.key;
      changed = true;
    }
    if (changed) storePracticePatientKeys(this.repos.settings, held, this.now());
    return answer.latest;
  }

  private seal(version: number, key: string, device: AuditReaderDevice): string {
    const plain = JSON.stringify({
      purpose: 'pmsg patient-reference key',
      org: this.account.org,
      version,
      key,
    });
    return sealAuditEvent(Buffer.from(plain), [device]).toString('base64');
  }

  private async holders(): Promise<(AuditReaderDevice & { versions: number[] })[]> {
    const { devices } = await this.http.call('patientKeyHolders');
    return devices.map((d) => ({ ...d, identityKey: Buffer.from(d.identityKey, 'base64') }));
  }

  /** Makes a version: sealed to every key-holding device (this one included), then kept here. */
  private async createVersion(version: number, key: string): Promise<void> {
    const devices = await this.holders();
    const envelopes = devices.map((d) => ({
      accountId: d.accountId,
      deviceId: d.deviceId,
      sealed: this.seal(version, key, d),
    }));
    // The first batch holds this device's own copy: the relay requires it for a new version.
    envelopes.sort((a, b) => Number(this.isSelf(b)) - Number(this.isSelf(a)));
    for (let i = 0; i < envelopes.length; i += patientKeyLimits.maxEnvelopesPerUpload) {
      await this.http.call('uploadPatientKeys', {
        body: {
          version,
          envelopes: envelopes.slice(i, i + patientKeyLimits.maxEnvelopesPerUpload),
        },
      });
    }
    const held = practicePatientKeys(this.repos.settings);
    storePracticePatientKeys(
      this.repos.settings,
      { keys: { ...held.keys, [String(version)]: key } },
      this.now(),
    );
  }

  private isSelf(d: { accountId: string; deviceId: number }): boolean {
    return d.accountId === this.account.accountId && d.deviceId === this.account.deviceId;
  }

  /** Gives every key-holding device the versions this one holds and it lacks. */
  private async shareMissing(): Promise<number> {
    const held = practicePatientKeys(this.repos.settings).keys;
    if (Object.keys(held).length === 0) return 0;
    let shared = 0;
    const devices = await this.holders();
    for (const [v, key] of Object.entries(held)) {
      const version = Number(v);
      const lacking = devices.filter((d) => !this.isSelf(d) && !d.versions.includes(version));
      for (let i = 0; i < lacking.length; i += patientKeyLimits.maxEnvelopesPerUpload) {
        const batch = lacking.slice(i, i + patientKeyLimits.maxEnvelopesPerUpload);
        const answer = await this.http.call('uploadPatientKeys', {
          body: {
            version,
            envelopes: batch.map((d) => ({
              accountId: d.accountId,
              deviceId: d.deviceId,
              sealed: this.seal(version, key, d),
            })),
          },
        });
        shared += answer.stored;
      }
    }
    return shared;
  }
}
