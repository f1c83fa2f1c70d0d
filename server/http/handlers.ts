import type { IncomingMessage } from 'node:http';
import {
  enrolRequestSchema,
  keysUploadRequestSchema,
  protocolLimits,
  sendMessageRequestSchema,
  type DirectoryEntry,
  type EnrolResponse,
  type PreKeyBundleResponse,
  type SendMessageResponse,
} from '../../shared/protocol/index.js';
import { verifyIdentityKey, verifyKeys } from '../key-verification.js';
import { hashEnrolmentCode, newToken, sha256 } from '../secrets.js';
import type { DeviceRecord, OneTimeKey, SignedKey } from '../storage/relay-storage.js';
import type { RelayServices } from '../relay-services.js';
import { parseWith, readJson } from './read-body.js';
import { RelayError } from '../relay-error.js';

export interface HandlerInput {
  req: IncomingMessage;
  params: string[];
  device: DeviceRecord | null;
}
export interface HandlerResult {
  status: number;
  body: unknown;
}
export type Handler = (services: RelayServices, input: HandlerInput) => Promise<HandlerResult>;

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

function authed(input: HandlerInput): DeviceRecord {
  if (!input.device) throw new RelayError('internal', 'Route registered without authentication.');
  return input.device;
}

export const health: Handler = async () => ({ status: 200, body: { status: 'ok', protocol: 1 } });

export const enrol: Handler = async (services, { req }) => {
  const body = parseWith(enrolRequestSchema, await readJson(req, services.limits.maxBodyBytes));
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
  if (!result.ok) codeRefused(result.reason);
  services.logger.info('device_enrolled', {
    accountId: result.account.accountId,
    deviceId: result.deviceId,
  });
  const response: EnrolResponse = {
    accountId: result.account.accountId,
    deviceId: result.deviceId,
    token,
    displayName: result.account.displayName,
    role: result.account.role,
    org: result.account.org,
  };
  return { status: 201, body: response };
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

export const me: Handler = async (_services, input) => {
  const device = authed(input);
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

export const directory: Handler = async (services, input) => {
  const accounts = await services.storage.listDirectory(authed(input).account.org);
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

export const account: Handler = async (services, input) => {
  const device = authed(input);
  const accountId = input.params[0] ?? '';
  await sameOrgAccount(services, device, accountId);
  const entry = (await services.storage.listDirectory(device.account.org)).find(
    (a) => a.accountId === accountId,
  );
  if (!entry) throw new RelayError('not_found', `Account ${accountId} has no active device.`);
  return { status: 200, body: toEntry(entry) };
};

export const bundles: Handler = async (services, input) => {
  const device = authed(input);
  const accountId = input.params[0] ?? '';
  const deviceId = input.params[1] === undefined ? null : Number(input.params[1]);
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
  const body: PreKeyBundleResponse = {
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
};

export const keyCount: Handler = async (services, input) => ({
  status: 200,
  body: await services.storage.countPreKeys(authed(input).devicePk),
});

export const uploadKeys: Handler = async (services, input) => {
  const device = authed(input);
  const body = parseWith(
    keysUploadRequestSchema,
    await readJson(input.req, services.limits.maxBodyBytes),
  );
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

export const sendMessage: Handler = async (services, input) => {
  const device = authed(input);
  const body = parseWith(
    sendMessageRequestSchema,
    await readJson(input.req, services.limits.maxBodyBytes),
  );
  const recipientAccountId = input.params[0] ?? '';
  const result = await services.storage.enqueue({
    senderDevicePk: device.devicePk,
    senderAccountId: device.accountId,
    senderDeviceId: device.deviceId,
    senderOrg: device.account.org,
    recipientAccountId,
    clientMessageId: body.clientMessageId,
    clientTimestamp: body.clientTimestamp ?? null,
    envelopes: body.messages.map((m) => ({
      deviceId: m.deviceId,
      registrationId: m.registrationId,
      type: m.type,
      content: b64(m.content),
    })),
    maxQueuedPerDevice: services.limits.maxQueuedPerDevice,
    maxQueuedPerSender: services.limits.maxQueuedPerSender,
    queueReservedPerSender: services.limits.queueReservedPerSender,
    now: Date.now(),
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
    }
  }
  for (const queued of result.queued) services.delivery.notify(queued.devicePk);
  const response: SendMessageResponse = {
    queued: result.queued.map((q) => q.deviceId),
    duplicates: result.duplicates,
  };
  return { status: 200, body: response };
};
