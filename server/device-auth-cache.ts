import type { DeviceRecord, RelayStorage } from './storage/relay-storage.js';
import { authenticate } from './authenticate.js';
import { sha256 } from './secrets.js';

/** How long a cached device is trusted without a store read (bounds a role change's delay). */
export const deviceAuthCacheTtlMs = 5_000;
const maxEntries = 100_000;

/**
 * Active devices by the SHA-256 of their bearer token, so that a request or socket of a known
 * device costs no store read (the relay profile spent 1.4 s of 10 s looking tokens up). Only
 * active, unwiped devices of active accounts are kept; anything else goes to the store every time,
 * so a wipe is still delivered and recorded. A revocation forgets the device at once: revocations
 * made here (HTTP device removal, RunningRelay.revoke) call forget() before they return, and those
 * of other processes or nodes arrive through the revocation reader (NOTIFY on PostgreSQL, the
 * poll otherwise). Entries expire after deviceAuthCacheTtlMs so that a role change made by the
 * admin CLI in another process is seen within that time.
 */
export class DeviceAuthCache {
  private readonly byToken = new Map<string, { device: DeviceRecord; until: number }>();
  private readonly tokenOf = new Map<number, string>();
  /** Bumped by every forget(): a store read begun before it must not refill the cache. */
  private generation = 0;

  constructor(private readonly ttlMs = deviceAuthCacheTtlMs) {}

  get size(): number {
    return this.byToken.size;
  }

  async authenticate(
    storage: RelayStorage,
    token: string | null,
    now: number,
  ): Promise<DeviceRecord> {
    if (token !== null) {
      const key = sha256(token).toString('hex');
      const hit = this.byToken.get(key);
      if (hit && hit.until > now) return hit.device;
      const generation = this.generation;
      const device = await authenticate(storage, token, now);
      if (generation === this.generation) this.remember(key, device, now);
      return device;
    }
    return authenticate(storage, token, now);
  }

  /** The device was revoked (or wiped, or removed): its next call reads the store. */
  forget(devicePk: number): void {
    this.generation += 1;
    const key = this.tokenOf.get(devicePk);
    if (key === undefined) return;
    this.tokenOf.delete(devicePk);
    this.byToken.delete(key);
  }

  /** Storage events may have been missed (cluster resynchronised): trust nothing cached. */
  clear(): void {
    this.generation += 1;
    this.byToken.clear();
    this.tokenOf.clear();
  }

  private remember(key: string, device: DeviceRecord, now: number): void {
    if (this.byToken.size >= maxEntries) this.clear();
    const previous = this.tokenOf.get(device.devicePk);
    if (previous !== undefined && previous !== key) this.byToken.delete(previous);
    this.tokenOf.set(device.devicePk, key);
    this.byToken.set(key, { device, until: now + this.ttlMs });
  }
}
