import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import {
  protocolLimits,
  type DirectoryEntry,
  type EndpointName,
  type EndpointParamName,
  type Endpoints,
  type ParsedEndpointRequest,
  type PreKeyBundleResponse,
} from '../../shared/protocol/index.js';
import { verifyIdentityKey, verifyKeys } from '../key-verification.js';
import { hashEnrolmentCode, newToken, sha256 } from '../secrets.js';
import type { DeviceRecord, OneTimeKey, SignedKey } from '../storage/relay-storage.js';
import type { RelayServices } from '../relay-services.js';
import { RelayError } from '../relay-error.js';
import {
  auditAppend,
  auditRead,
  auditReaders,
  auditVerify,
  patientKeyHolders,
  patientKeys,
  uploadPatientKeys,
} from './audit-handlers.js';
import {
  attachmentDeclined,
  attachmentFetched,
  attachmentStatus,
  createAttachment,
  finishAttachment,
  getAttachmentChunk,
  putAttachmentChunk,
} from './attachment-handlers.js';
import { ownDevices, removeDevice, wipeReport } from './device-handlers.js';
import { createLink, currentLink, decideLink, redeemLink } from './link-handlers.js';
import { sendMulti } from './multi-send-handler.js';
import { sendBatchVia } from './batch-send-handler.js';
import { orgQuotaRefusal } from './org-quota-refusal.js';
import {
  ackAlert,
  alertStatus,
  alertCheck,
  alertReseal,
  createAlert,
  createRole,
  deleteRole,
  duty,
  roles,
} from '../roles/role-handlers.js';

/** What the router hands a handler: the body already parsed with the endpoint's schema. */
export interface HandlerInput<N extends EndpointName> {
  req: IncomingMessage;
  params: { readonly [K in EndpointParamName<N>]: string };
  /** The authenticated device; the router authenticates every `device` endpoint first. */
  device: Endpoints[N]['auth'] extends 'device' ? DeviceRecord : null;
  body: ParsedEndpointRequest<N>;
  /**
   * A binary body instead of `body` (an attachment chunk sent as application/octet-stream, §5a),
   * already size-checked; `body` is then not set.
   */
  bytes?: Buffer;
  /**
   * Spends one more of the device's request tokens (§8) for work beyond the request itself (a
   * batch's further entries); 0 if allowed, else the seconds to wait. Unset without a device.
   */
  spendRequestToken?: () => number;
}
/** A JSON answer, or raw bytes sent as application/octet-stream (a chunk, §5a). */
export type HandlerResult<N extends EndpointName> =
  | { status: number; body: z.input<Endpoints[N]['response']>; bytes?: undefined }
  | { status: number; bytes: Buffer; body?: undefined };
export type Handler<N extends EndpointName> = (
  services: RelayServices,
  input: HandlerInput<N>,
) => Promise<HandlerResult<N>>;

/** A handler as the router calls it, once the endpoint is known only at run time. */
export type AnyHandler = (
  services: RelayServices,
  input: {
    req: IncomingMessage;
    params: Readonly<Record<string, string>>;
    device: DeviceRecord | null;
    body: unknown;
    bytes?: Buffer;
    spendRequestToken?: () => number;
  },
) => Promise<{ status: number; body?: unknown; bytes?: Buffer }>;

const b64 = (value: string) => Buffer.from(value, 'base64');
const toB64 = (value: Uint8Array) => Buffer.from(value).toString('base64');
const decodeKey = (key: { keyId: number; publicKey: string }): OneTimeKey => ({
  keyId: key.keyId,
  publicKey: b64(key.publicKey),
});
const decodeSigned = (key: { keyId: number; publicKey: string; signature: string }): SignedKey => ({
  ...decodeKey(key),
  signature: b64(key.signature),
});
const encodeSigned = (key: SignedKey) => ({
  keyId: key.keyId,
  publicKey: toB64(key.publicKey),
  signature: toB64(key.signature),
});

const health: Handler<'health'> = async () => ({
  status: 200,
  body: { status: 'ok', protocol: 1 },
});

const enrol: Handler<'enrol'> = async (services, { body }) => {
  // The code first: verifying a device's signatures costs far more than a lookup, and a guesser
  // must not get that work done for free. Redeeming checks the code again, atomically.
  const codeHash = hashEnrolmentCode(body.code);
  const check = await services.storage.checkEnrolmentCode(codeHash, Date.now());
  // A used code may be the device's own earlier redemption whose answer was lost: with the
  // device's own token, redeeming recognises it (docs/protocol.md, POST /v1/enrol).
  const mayBeReplay = !check.ok && check.reason === 'used' && body.token !== undefined;
  if (!check.ok && !mayBeReplay) codeRefused(check.reason);
  const identityKey = b64(body.identityKey);
  const keys = {
    registrationId: body.registrationId,
    identityKey,
    signedPreKey: decodeSigned(body.signedPreKey),
    kyberLastResortPreKey: decodeSigned(body.kyberLastResortPreKey),
    preKeys: body.preKeys.map(decodeKey),
    kyberPreKeys: body.kyberPreKeys.map(decodeSigned),
  };
  verifyKeys(verifyIdentityKey(identityKey), keys);
  // A device that chose its own token can send the identical request again after a lost answer.
  const token = body.token ?? newToken();
  const result = await services.storage.redeemEnrolmentCode({
    codeHash,
    tokenHash: sha256(token),
    deviceName: body.deviceName ?? null,
    keys,
    now: Date.now(),
  });
  if (!result.ok) {
    if (result.reason === 'org_quota') throw orgQuotaRefusal(result);
    codeRefused(result.reason);
  }
  // The practice trail records the first redemption, not a replay of it (§13).
  if (check.ok) {
    await services.storage.appendRelayAudit({
      kind: 'device.enrolled',
      accountId: result.account.accountId,
      deviceId: result.deviceId,
      now: Date.now(),
    });
  }
  services.logger.info('device_enrolled', {
    accountId: result.account.accountId,
    deviceId: result.deviceId,
  });
  return {
    status: 201,
    body: {
      accountId: result.account.accountId,
      deviceId: result.deviceId,
      token,
      displayName: result.account.displayName,
      role: result.account.role,
      org: result.account.org,
    },
  };
};

function codeRefused(
  reason: 'invalid' | 'used' | 'expired' | 'device_limit' | 'account_revoked',
): never {
  switch (reason) {
    case 'invalid':
    case 'account_revoked':
      throw new RelayError('enrolment_code_invalid', 'This enrolment code is not valid.');
    case 'used':
      throw new RelayError(
        'enrolment_code_used',
        'This enrolment code was already used: ask your administrator for a new one.',
      );
    case 'expired':
      throw new RelayError(
        'enrolment_code_expired',
        'This enrolment code has expired: ask your administrator for a new one.',
      );
    case 'device_limit':
      throw new RelayError(
        'device_limit',
        `The account already had ${protocolLimits.maxDeviceId} devices.`,
      );
  }
}

const me: Handler<'me'> = async (_services, { device }) => {
  const { accountId, displayName, role, org } = device.account;
  return { status: 200, body: { accountId, deviceId: device.deviceId, displayName, role, org } };
};

const toEntry = (a: DirectoryEntry): DirectoryEntry => ({
  accountId: a.accountId,
  displayName: a.displayName,
  role: a.role,
  org: a.org,
  devices: a.devices,
  ...(a.gmcNumber ? { gmcNumber: a.gmcNumber } : {}),
  ...(a.nmcPin ? { nmcPin: a.nmcPin } : {}),
  ...(a.sdsUserId ? { sdsUserId: a.sdsUserId } : {}),
});

const directory: Handler<'directory'> = async (services, { device }) => {
  const accounts = await services.storage.listDirectory(device.account.org);
  return { status: 200, body: { accounts: accounts.map(toEntry) } };
};

/** Accounts of other organisations are reported as unknown, not as forbidden. */
async function sameOrgAccount(services: RelayServices, device: DeviceRecord, accountId: string) {
  const account = await services.storage.getAccount(accountId);
  if (!account || account.org !== device.account.org || account.status !== 'active') {
    throw new RelayError('not_found', `No account ${accountId} in your organisation.`);
  }
  return account;
}

const account: Handler<'account'> = async (services, { device, params }) => {
  const { accountId } = params;
  await sameOrgAccount(services, device, accountId);
  const entry = (await services.storage.listDirectory(device.account.org)).find(
    (a) => a.accountId === accountId,
  );
  if (!entry) throw new RelayError('not_found', `Account ${accountId} has no active device.`);
  return { status: 200, body: toEntry(entry) };
};

const bundles: Handler<'bundles'> = (services, { device, params }) =>
  takeBundles(services, device, params.accountId, null);

const deviceBundle: Handler<'deviceBundle'> = (services, { device, params }) =>
  takeBundles(services, device, params.accountId, Number(params.deviceId));

async function takeBundles(
  services: RelayServices,
  device: DeviceRecord,
  accountId: string,
  deviceId: number | null,
): Promise<{ status: number; body: PreKeyBundleResponse }> {
  if (deviceId !== null && !(deviceId >= 1 && deviceId <= protocolLimits.maxDeviceId)) {
    throw new RelayError('invalid_input', 'deviceId must be an integer 1..127.');
  }
  await sameOrgAccount(services, device, accountId);
  // Every fetch spends one of the target's one-time prekeys: a colleague must not drain them.
  const wait = services.bundleLimiter.take(`${device.devicePk}:${accountId}`);
  if (wait > 0) {
    services.logger.warn('bundle_fetch_limited', {
      accountId: device.accountId,
      deviceId: device.deviceId,
      targetAccountId: accountId,
    });
    throw new RelayError(
      'rate_limited',
      `Too many prekey fetches for this account; retry in ${wait} s.`,
      undefined,
      { 'retry-after': String(wait) },
    );
  }
  const found = await services.storage.takePreKeyBundles(accountId, deviceId);
  if (found.length === 0) {
    throw new RelayError('not_found', `No active device ${deviceId ?? ''} of ${accountId}.`);
  }
  const body = {
    accountId,
    devices: found.map((b) => ({
      deviceId: b.deviceId,
      registrationId: b.registrationId,
      identityKey: toB64(b.identityKey),
      signedPreKey: encodeSigned(b.signedPreKey),
      preKey: b.preKey ? { keyId: b.preKey.keyId, publicKey: toB64(b.preKey.publicKey) } : null,
      kyberPreKey: encodeSigned(b.kyberPreKey),
      kyberPreKeyIsLastResort: b.kyberPreKeyIsLastResort,
    })),
  };
  return { status: 200, body };
}

const keyCount: Handler<'keyCount'> = async (services, { device }) => ({
  status: 200,
  body: await services.storage.countPreKeys(device.devicePk),
});

const uploadKeys: Handler<'uploadKeys'> = async (services, { device, body }) => {
  const keys = {
    ...(body.preKeys ? { preKeys: body.preKeys.map(decodeKey) } : {}),
    ...(body.kyberPreKeys ? { kyberPreKeys: body.kyberPreKeys.map(decodeSigned) } : {}),
    ...(body.signedPreKey ? { signedPreKey: decodeSigned(body.signedPreKey) } : {}),
    ...(body.kyberLastResortPreKey
      ? { kyberLastResortPreKey: decodeSigned(body.kyberLastResortPreKey) }
      : {}),
  };
  verifyKeys(device.identityKey, keys);
  const counts = await services.storage.countPreKeys(device.devicePk);
  if (
    counts.preKeys + (keys.preKeys?.length ?? 0) > protocolLimits.maxStoredPreKeys ||
    counts.kyberPreKeys + (keys.kyberPreKeys?.length ?? 0) > protocolLimits.maxStoredPreKeys
  ) {
    throw new RelayError(
      'too_many_prekeys',
      `A device may keep at most ${protocolLimits.maxStoredPreKeys} one-time prekeys of each kind.`,
      counts,
    );
  }
  await services.storage.storeKeys(device.devicePk, keys);
  return { status: 200, body: await services.storage.countPreKeys(device.devicePk) };
};

const sendMessage: Handler<'sendMessage'> = async (services, { device, body, params }) => {
  const recipientAccountId = params.accountId;
  const now = Date.now();
  const clientTimestamp = body.clientTimestamp ?? null;
  const result = await services.storage.enqueue({
    senderDevicePk: device.devicePk,
    senderAccountId: device.accountId,
    senderDeviceId: device.deviceId,
    senderOrg: device.account.org,
    recipientAccountId,
    clientMessageId: body.clientMessageId,
    clientTimestamp,
    envelopes: body.messages.map((m) => ({
      deviceId: m.deviceId,
      registrationId: m.registrationId,
      type: m.type,
      content: b64(m.content),
    })),
    maxQueuedPerDevice: services.limits.maxQueuedPerDevice,
    maxQueuedPerSender: services.limits.maxQueuedPerSender,
    queueReservedPerSender: services.limits.queueReservedPerSender,
    now,
  });
  if (!result.ok) {
    switch (result.reason) {
      case 'not_found':
        throw new RelayError('not_found', `No account ${recipientAccountId} in your organisation.`);
      case 'mismatched':
        throw new RelayError(
          'mismatched_devices',
          'The device list is stale: add missingDevices, drop extraDevices, and resend.',
          { missingDevices: result.missingDevices, extraDevices: result.extraDevices },
        );
      case 'stale':
        throw new RelayError(
          'stale_devices',
          'These devices were re-registered: fetch new prekey bundles for them and resend.',
          { staleDevices: result.staleDevices },
        );
      case 'queue_full':
        services.logger.warn('queue_full', {
          accountId: device.accountId,
          deviceId: device.deviceId,
          recipientAccountId,
          fullDevices: result.fullDevices.join(','),
        });
        throw new RelayError(
          'queue_full',
          'You have too many undelivered envelopes waiting for this recipient; retry later.',
          { fullDevices: result.fullDevices },
          { 'retry-after': '60' },
        );
      case 'org_quota':
        services.logger.warn('org_quota_exceeded', {
          org: device.account.org,
          quota: result.quota,
        });
        throw orgQuotaRefusal(result);
    }
  }
  for (const queued of result.queued) {
    if (!queued.queue) {
      services.delivery.notify(queued.devicePk);
      continue;
    }
    // The frame carries the sender's base64 as validated, so the bytes are not encoded again.
    const message = body.messages.find((m) => m.deviceId === queued.deviceId)!;
    services.delivery.deliver(
      queued.devicePk,
      {
        id: queued.queue.id,
        senderAccountId: device.accountId,
        senderDeviceId: device.deviceId,
        clientMessageId: body.clientMessageId,
        type: message.type,
        content: message.content,
        clientTimestamp,
        serverTimestamp: now,
      },
      queued.queue.previousId,
    );
  }
  return {
    status: 200,
    body: { queued: result.queued.map((q) => q.deviceId), duplicates: result.duplicates },
  };
};

/** One handler per entry of the endpoint table; a missing or extra one fails to compile. */
export const handlers: { readonly [N in EndpointName]: Handler<N> } = {
  health,
  enrol,
  me,
  ownDevices,
  removeDevice,
  wipeReport,
  createLink,
  currentLink,
  decideLink,
  redeemLink,
  directory,
  account,
  keyCount,
  uploadKeys,
  bundles,
  deviceBundle,
  sendMessage,
  sendMulti,
  sendBatch: sendBatchVia(sendMessage),
  auditReaders,
  auditAppend,
  auditRead,
  auditVerify,
  patientKeys,
  patientKeyHolders,
  uploadPatientKeys,
  createAttachment,
  attachmentStatus,
  putAttachmentChunk,
  finishAttachment,
  getAttachmentChunk,
  attachmentFetched,
  attachmentDeclined,
  roles,
  createRole,
  deleteRole,
  duty,
  createAlert,
  ackAlert,
  alertStatus,
  alertCheck,
  alertReseal,
};
