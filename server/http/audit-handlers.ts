import {
  auditReaderRoles,
  patientKeyRoles,
  type AuditRecordWire,
} from '../../shared/protocol/index.js';
import type { DeviceRecord } from '../storage/relay-storage.js';
import { RelayError } from '../relay-error.js';
import type { Handler } from './handlers.js';

// The practice audit trail's endpoints (docs/protocol.md §13). The relay stores device records
// as opaque sealed bytes it cannot open; only the practice's audit readers may read the chain.

const toB64 = (value: Uint8Array) => Buffer.from(value).toString('base64');

function requireAuditReader(device: DeviceRecord): void {
  if (!(auditReaderRoles as readonly string[]).includes(device.account.role)) {
    throw new RelayError(
      'forbidden',
      `Only ${auditReaderRoles.join(' and ')} accounts may read the practice audit trail.`,
    );
  }
}

export const auditReaders: Handler<'auditReaders'> = async (services, { device }) => {
  const readers = await services.storage.listAuditReaders(device.account.org, auditReaderRoles);
  return {
    status: 200,
    body: {
      readers: readers.map((r) => ({
        accountId: r.accountId,
        deviceId: r.deviceId,
        identityKey: toB64(r.identityKey),
      })),
    },
  };
};

export const auditAppend: Handler<'auditAppend'> = async (services, { device, body }) => {
  const result = await services.storage.appendAudit({
    org: device.account.org,
    accountId: device.accountId,
    deviceId: device.deviceId,
    records: body.records.map((r) => ({
      clientRecordId: r.clientRecordId,
      sealed: Buffer.from(r.sealed, 'base64'),
    })),
    now: Date.now(),
  });
  return { status: 200, body: result };
};

export const auditRead: Handler<'auditRead'> = async (services, { device, body }) => {
  requireAuditReader(device);
  const page = await services.storage.readAudit(device.account.org, {
    afterSeq: body.afterSeq,
    beforeSeq: body.beforeSeq ?? null,
    limit: body.limit,
  });
  const records: AuditRecordWire[] = page.records.map((r) => ({
    seq: r.seq,
    source: r.source,
    accountId: r.accountId,
    deviceId: r.deviceId,
    createdAt: r.createdAt,
    payload: toB64(r.payload),
    prevHash: r.prevHash,
    hash: r.hash,
    signature: r.signature ? toB64(r.signature) : null,
  }));
  return {
    status: 200,
    body: { anchor: page.anchor, relayKey: toB64(page.relayKey), records },
  };
};

export const auditVerify: Handler<'auditVerify'> = async (services, { device }) => {
  requireAuditReader(device);
  const { intact, records, brokenAt, headSeq, headHash, reason } =
    await services.storage.verifyAudit(device.account.org);
  return {
    status: 200,
    body: { intact, records, brokenAt, headSeq, headHash, ...(reason ? { reason } : {}) },
  };
};

// The practice's patient-reference key (§13.1): sealed copies only; reception gets none.

function requireKeyHolderRole(device: DeviceRecord): void {
  if (!(patientKeyRoles as readonly string[]).includes(device.account.role)) {
    throw new RelayError(
      'forbidden',
      'Reception devices do not hold the practice patient-reference key; their entries are keyed per device.',
    );
  }
}

export const patientKeys: Handler<'patientKeys'> = async (services, { device }) => {
  requireKeyHolderRole(device);
  const stored = await services.storage.patientKeys(
    device.account.org,
    device.accountId,
    device.deviceId,
  );
  return {
    status: 200,
    body: {
      latest: stored.latest,
      envelopes: stored.envelopes.map((e) => ({ version: e.version, sealed: toB64(e.sealed) })),
    },
  };
};

export const patientKeyHolders: Handler<'patientKeyHolders'> = async (services, { device }) => {
  requireKeyHolderRole(device);
  const holders = await services.storage.patientKeyHolders(device.account.org);
  return {
    status: 200,
    body: {
      devices: holders.map((h) => ({
        accountId: h.accountId,
        deviceId: h.deviceId,
        identityKey: toB64(h.identityKey),
        versions: h.versions,
      })),
    },
  };
};

export const uploadPatientKeys: Handler<'uploadPatientKeys'> = async (
  services,
  { device, body },
) => {
  requireKeyHolderRole(device);
  const result = await services.storage.storePatientKeys({
    org: device.account.org,
    accountId: device.accountId,
    deviceId: device.deviceId,
    role: device.account.role,
    version: body.version,
    envelopes: body.envelopes.map((e) => ({
      accountId: e.accountId,
      deviceId: e.deviceId,
      sealed: Buffer.from(e.sealed, 'base64'),
    })),
    now: Date.now(),
  });
  if (!result.ok) throw new RelayError(result.refusal.code, result.refusal.message);
  return { status: 200, body: { stored: result.stored, latest: result.latest } };
};
