import type {
  Direction,
  KyberPreKeyRecord,
  PreKeyRecord,
  PrivateKey,
  ProtocolAddress,
  PublicKey,
  SessionRecord,
  SignedPreKeyRecord,
} from '@signalapp/libsignal-client';
import {
  IdentityChange,
  IdentityKeyStore,
  KyberPreKeyStore,
  PreKeyStore,
  SessionStore,
  SignedPreKeyStore,
} from '@signalapp/libsignal-client';
import type { TestDeviceKeys } from './signal-keys.js';

// Minimal in-memory libsignal stores: enough for the relay's tests to run a real session.

class Sessions extends SessionStore {
  private readonly map = new Map<string, SessionRecord>();
  async saveSession(address: ProtocolAddress, record: SessionRecord) {
    this.map.set(address.toString(), record);
  }
  async getSession(address: ProtocolAddress) {
    return this.map.get(address.toString()) ?? null;
  }
  async getExistingSessions(addresses: ProtocolAddress[]) {
    return addresses.flatMap((a) => this.map.get(a.toString()) ?? []);
  }
}

class Identities extends IdentityKeyStore {
  private readonly known = new Map<string, PublicKey>();
  constructor(private readonly keys: TestDeviceKeys) {
    super();
  }
  async getIdentityKey(): Promise<PrivateKey> {
    return this.keys.identity.privateKey;
  }
  async getLocalRegistrationId() {
    return this.keys.registrationId;
  }
  async saveIdentity(address: ProtocolAddress, key: PublicKey) {
    const old = this.known.get(address.toString());
    this.known.set(address.toString(), key);
    return old && !old.equals(key)
      ? IdentityChange.ReplacedExisting
      : IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity(_address: ProtocolAddress, _key: PublicKey, _direction: Direction) {
    return true;
  }
  async getIdentity(address: ProtocolAddress) {
    return this.known.get(address.toString()) ?? null;
  }
}

class PreKeys extends PreKeyStore {
  private readonly map: Map<number, PreKeyRecord>;
  constructor(records: PreKeyRecord[]) {
    super();
    this.map = new Map(records.map((r) => [r.id(), r]));
  }
  async savePreKey(id: number, record: PreKeyRecord) {
    this.map.set(id, record);
  }
  async getPreKey(id: number) {
    const record = this.map.get(id);
    if (!record) throw new Error(`no prekey ${id}`);
    return record;
  }
  async removePreKey(id: number) {
    this.map.delete(id);
  }
}

class SignedPreKeys extends SignedPreKeyStore {
  constructor(private readonly record: SignedPreKeyRecord) {
    super();
  }
  async saveSignedPreKey() {}
  async getSignedPreKey() {
    return this.record;
  }
}

class KyberPreKeys extends KyberPreKeyStore {
  private readonly map: Map<number, KyberPreKeyRecord>;
  constructor(records: KyberPreKeyRecord[]) {
    super();
    this.map = new Map(records.map((r) => [r.id(), r]));
  }
  async saveKyberPreKey(id: number, record: KyberPreKeyRecord) {
    this.map.set(id, record);
  }
  async getKyberPreKey(id: number) {
    const record = this.map.get(id);
    if (!record) throw new Error(`no kyber prekey ${id}`);
    return record;
  }
  async markKyberPreKeyUsed() {}
}

export function memoryStores(keys: TestDeviceKeys) {
  return {
    sessions: new Sessions(),
    identities: new Identities(keys),
    preKeys: new PreKeys(keys.preKeys),
    signedPreKeys: new SignedPreKeys(keys.signedPreKey),
    kyberPreKeys: new KyberPreKeys([...keys.kyberPreKeys, keys.kyberLastResort]),
  };
}
