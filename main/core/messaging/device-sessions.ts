import {
  KEMPublicKey,
  PreKeyBundle,
  ProtocolAddress,
  PublicKey,
  processPreKeyBundle,
} from '@signalapp/libsignal-client';
import {
  type MismatchedDevices,
  type PreKeyBundle as BundleJson,
} from '../../../shared/protocol/index.js';
import type { SignalStores } from '../signal/signal-stores.js';
import { RelayRequestError, type RelayHttp } from './relay/relay-http.js';

/** A recipient device as the relay's PUT /v1/messages names it. */
export interface DeviceTarget {
  readonly deviceId: number;
  readonly registrationId: number;
}

/** Sending to this person is blocked until the user acknowledges their new identity key. */
export class IdentityChangedError extends Error {
  constructor(readonly accountId: string) {
    super(`The identity key of ${accountId} changed; sending waits for acknowledgement.`);
    this.name = 'IdentityChangedError';
  }
}

export interface DeviceSessionsContext {
  readonly http: RelayHttp;
  readonly stores: SignalStores;
  readonly local: ProtocolAddress;
  /** Runs database work in the core's write queue (one transaction). */
  readonly tx: <T>(work: () => Promise<T>) => Promise<T>;
  readonly now: () => number;
}

const fromBase64 = (value: string) => Buffer.from(value, 'base64');

/**
 * Which devices of a person we encrypt for, and the sessions with them: prekey bundles fetched
 * on first contact, device lists corrected after 409/410 answers, and identity changes turned
 * into a block instead of a silent new session (trust on first use).
 */
export class DeviceSessions {
  constructor(private readonly ctx: DeviceSessionsContext) {}

  isBlocked(accountId: string): boolean {
    return this.ctx.stores.identity.remoteIdentity(accountId)?.trust === 'changed';
  }

  /** The devices we hold a usable session with, excluding this device. */
  async targets(accountId: string): Promise<DeviceTarget[]> {
    const { session } = this.ctx.stores;
    const targets: DeviceTarget[] = [];
    for (const deviceId of session.deviceIds(accountId)) {
      if (this.isSelf(accountId, deviceId)) continue;
      const record = await session.getSession(ProtocolAddress.new(accountId, deviceId));
      if (record?.hasCurrentState()) {
        targets.push({ deviceId, registrationId: record.remoteRegistrationId() });
      }
    }
    return targets;
  }

  /** Sessions with every device of the person, fetching bundles on first contact. */
  async ensure(accountId: string): Promise<DeviceTarget[]> {
    if (this.isBlocked(accountId)) throw new IdentityChangedError(accountId);
    const existing = await this.targets(accountId);
    if (existing.length > 0) return existing;
    await this.fetchBundles(accountId);
    const created = await this.targets(accountId);
    if (created.length === 0) {
      throw new RelayRequestError(404, 'not_found', `${accountId} has no devices to send to.`);
    }
    return created;
  }

  /** After a 409: drop sessions of devices that are gone, start sessions with new ones. */
  async applyMismatch(accountId: string, mismatch: MismatchedDevices): Promise<void> {
    await this.ctx.tx(async () => {
      for (const deviceId of mismatch.extraDevices) {
        // The device was removed from the account: its key leaves the person's safety number.
        this.ctx.stores.session.deleteSession(accountId, deviceId);
        this.ctx.stores.identity.forgetDevice(accountId, deviceId);
      }
    });
    for (const deviceId of mismatch.missingDevices) await this.fetchBundles(accountId, deviceId);
  }

  /** After a 410: those devices re-registered, so their sessions are stale. */
  async applyStale(accountId: string, staleDevices: readonly number[]): Promise<void> {
    await this.ctx.tx(async () => {
      for (const deviceId of staleDevices) {
        this.ctx.stores.session.deleteSession(accountId, deviceId);
      }
    });
    for (const deviceId of staleDevices) await this.fetchBundles(accountId, deviceId);
  }

  /** Forgets the session with one device, so the next send starts a fresh one. */
  forget(accountId: string, deviceId: number): void {
    this.ctx.stores.session.deleteSession(accountId, deviceId);
  }

  /**
   * Fetches bundles (consuming one-time prekeys on the relay) and starts sessions. libsignal
   * refuses a bundle whose identity differs from the stored one before saving anything, so a
   * changed identity of a known device is saved here (which flags it) and the person is
   * blocked. A device of the person not seen before is not a change: it is trusted and
   * announced as added.
   */
  async fetchBundles(accountId: string, deviceId?: number): Promise<void> {
    const response =
      deviceId === undefined
        ? await this.ctx.http.call('bundles', { params: { accountId } })
        : await this.ctx.http.call('deviceBundle', { params: { accountId, deviceId } });
    if (response.accountId !== accountId) {
      throw new RelayRequestError(200, 'bad_response', 'The relay returned keys of someone else.');
    }
    const blocked = await this.ctx.tx(async () => {
      let changed = false;
      // First contact: all of the person's devices are trusted at once, none "added".
      this.ctx.stores.identity.recordFirstContact(
        accountId,
        response.devices
          .filter((bundle) => !this.isSelf(accountId, bundle.deviceId))
          .map((bundle) => ({
            deviceId: bundle.deviceId,
            identityKey: PublicKey.deserialize(fromBase64(bundle.identityKey)),
          })),
      );
      for (const bundle of response.devices) {
        if (this.isSelf(accountId, bundle.deviceId)) continue;
        if (!(await this.processBundle(accountId, bundle))) changed = true;
      }
      return changed;
    });
    if (blocked) throw new IdentityChangedError(accountId);
  }

  private async processBundle(accountId: string, json: BundleJson): Promise<boolean> {
    const { stores, local, now } = this.ctx;
    const address = ProtocolAddress.new(accountId, json.deviceId);
    const identityKey = PublicKey.deserialize(fromBase64(json.identityKey));
    // Per device: a device not seen before is new (saved, and announced, by libsignal's
    // saveIdentity below); only a different key for a device we know is a change.
    const known = stores.identity.deviceIdentity(accountId, json.deviceId);
    if (known && !known.identityKey.equals(identityKey)) {
      await stores.identity.saveIdentity(address, identityKey);
      return false;
    }
    if (stores.identity.remoteIdentity(accountId)?.trust === 'changed') return false;
    const bundle = PreKeyBundle.new(
      json.registrationId,
      json.deviceId,
      json.preKey?.keyId ?? null,
      json.preKey ? PublicKey.deserialize(fromBase64(json.preKey.publicKey)) : null,
      json.signedPreKey.keyId,
      PublicKey.deserialize(fromBase64(json.signedPreKey.publicKey)),
      fromBase64(json.signedPreKey.signature),
      identityKey,
      json.kyberPreKey.keyId,
      KEMPublicKey.deserialize(fromBase64(json.kyberPreKey.publicKey)),
      fromBase64(json.kyberPreKey.signature),
    );
    await processPreKeyBundle(
      bundle,
      address,
      local,
      stores.session,
      stores.identity,
      new Date(now()),
    );
    return true;
  }

  private isSelf(accountId: string, deviceId: number): boolean {
    return accountId === this.ctx.local.name() && deviceId === this.ctx.local.deviceId();
  }
}
