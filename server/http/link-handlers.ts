import { createHash } from 'node:crypto';
import { verifyIdentityKey, verifyKeys } from '../key-verification.js';
import {
  linkState,
  linkView,
  type LinkRecord,
  type StoredLinkRequest,
} from '../links/link-store.js';
import { RelayError } from '../relay-error.js';
import type { RelayServices } from '../relay-services.js';
import { hashEnrolmentCode, newEnrolmentCode, sameHash, sha256 } from '../secrets.js';
import type { Handler } from './handlers.js';

// A person adds a PC from one they already have (docs/protocol.md §2b). The relay never sees the
// link code: it indexes the SHA-256 of the code's lookup, and the new PC's proof is checked by the
// approving device, whose key the relay does not hold, so the relay cannot slip in a PC of its own.

const b64 = (value: string) => Buffer.from(value, 'base64');
/** What the relay stores of a lookup: a second hash, so a copy of its database redeems nothing. */
const linkHash = (lookup: string) => createHash('sha256').update(b64(lookup)).digest();

/** The relay is the authority on how many devices one person may have. */
async function checkCap(services: RelayServices, accountId: string): Promise<void> {
  const devices = (await services.storage.listAccountDevices(accountId)).length;
  const max = services.limits.maxDevicesPerPerson;
  if (devices >= max) {
    throw new RelayError(
      'device_cap',
      `You already have ${devices} devices, the most this practice allows one person (${max}). Remove one first: Settings → Your devices, or \`pmsg client devices --profile <dir> --remove <deviceId>\`.`,
      { maxDevices: max, devices },
    );
  }
}

export const createLink: Handler<'createLink'> = async (services, { device, body }) => {
  await checkCap(services, device.accountId);
  const now = Date.now();
  const link = await services.links.create({
    linkHash: linkHash(body.lookup),
    accountId: device.accountId,
    deviceId: device.deviceId,
    approvalRequired: body.approvalRequired,
    now,
    expiresAt: now + services.limits.linkLifetimeMs,
  });
  services.logger.info('link_created', { accountId: device.accountId, deviceId: device.deviceId });
  return { status: 201, body: linkView(link, now) };
};

export const currentLink: Handler<'currentLink'> = async (services, { device }) => {
  const link = await services.links.current(device.accountId, device.deviceId);
  return { status: 200, body: { link: link === null ? null : linkView(link, Date.now()) } };
};

export const decideLink: Handler<'decideLink'> = async (services, { device, body }) => {
  const now = Date.now();
  const link = await services.links.current(device.accountId, device.deviceId);
  const state = link === null ? null : linkState(link, now);
  if (link === null || link.request === null || state === 'open') {
    throw new RelayError('not_found', 'No PC has asked to join with your link code yet.');
  }
  if (state === 'expired') {
    throw new RelayError('link_code_expired', 'The link code expired: make a new one.');
  }
  if (state !== 'requested') {
    throw new RelayError('link_code_used', `This request was already ${state}.`);
  }
  if (link.request.identityKey !== body.identityKey) {
    // The approving device checked another request's proof: decide nothing it did not check.
    throw new RelayError('not_found', 'The PC asking to join is not the one you checked.');
  }
  if (!body.approve) {
    await services.links.decide({ linkHash: link.linkHash, state: 'refused', deviceId: null, now });
    services.logger.info('link_refused', {
      accountId: device.accountId,
      deviceId: device.deviceId,
    });
  } else {
    const deviceId = await addDevice(services, link, now);
    await services.links.decide({ linkHash: link.linkHash, state: 'approved', deviceId, now });
  }
  const decided = await services.links.find(link.linkHash);
  return { status: 200, body: linkView(decided ?? link, now) };
};

export const redeemLink: Handler<'redeemLink'> = async (services, { body }) => {
  const now = Date.now();
  const hash = linkHash(body.lookup);
  const link = await services.links.find(hash);
  if (link === null) {
    throw new RelayError(
      'link_code_invalid',
      'This link code is not valid: check it, or make a new one.',
    );
  }
  const tokenHash = sha256(body.token);
  const mine = link.requestTokenHash !== null && sameHash(link.requestTokenHash, tokenHash);
  const state = linkState(link, now);
  if (mine) return answerOwnRequest(services, link, state, body.token, tokenHash);
  if (state === 'expired') {
    throw new RelayError(
      'link_code_expired',
      'This link code has expired: make a new one on your other PC.',
    );
  }
  if (state !== 'open') {
    throw new RelayError(
      'link_code_used',
      'This link code was already used: make a new one on your other PC.',
    );
  }
  const identityKey = b64(body.identityKey);
  verifyKeys(verifyIdentityKey(identityKey), {
    signedPreKey: signed(body.signedPreKey),
    kyberLastResortPreKey: signed(body.kyberLastResortPreKey),
    preKeys: body.preKeys.map((k) => ({ keyId: k.keyId, publicKey: b64(k.publicKey) })),
    kyberPreKeys: body.kyberPreKeys.map(signed),
  });
  await checkCap(services, link.accountId);
  const request: StoredLinkRequest = {
    deviceName: body.deviceName,
    identityKey: body.identityKey,
    proof: body.proof,
    registrationId: body.registrationId,
    signedPreKey: body.signedPreKey,
    kyberLastResortPreKey: body.kyberLastResortPreKey,
    preKeys: body.preKeys,
    kyberPreKeys: body.kyberPreKeys,
  };
  if (!(await services.links.request({ linkHash: hash, request, tokenHash, now }))) {
    throw new RelayError(
      'link_code_used',
      'This link code was already used: make a new one on your other PC.',
    );
  }
  const requested = (await services.links.find(hash)) ?? link;
  services.logger.info('link_requested', { accountId: link.accountId });
  if (requested.approvalRequired) return waiting(requested);
  const deviceId = await addDevice(services, requested, now);
  await services.links.decide({ linkHash: hash, state: 'used', deviceId, now });
  return answerOwnRequest(services, requested, 'used', body.token, tokenHash);
};

const signed = (k: { keyId: number; publicKey: string; signature: string }) => ({
  keyId: k.keyId,
  publicKey: b64(k.publicKey),
  signature: b64(k.signature),
});

function waiting(link: LinkRecord) {
  return { status: 202, body: { waiting: true as const, expiresAt: link.expiresAt } };
}

/** The PC that made the request asks again: it is waiting, added, refused or too late. */
async function answerOwnRequest(
  services: RelayServices,
  link: LinkRecord,
  state: ReturnType<typeof linkState>,
  token: string,
  tokenHash: Uint8Array,
) {
  // Added, even if the decision was not recorded on the link before a crash: the device exists.
  const device = await services.storage.findDeviceByTokenHash(tokenHash);
  if (device !== null && device.accountId === link.accountId && device.status === 'active') {
    const { accountId, displayName, role, org } = device.account;
    return {
      status: 201,
      body: { accountId, deviceId: device.deviceId, token, displayName, role, org },
    };
  }
  if (state === 'requested') return waiting(link);
  if (state === 'refused') {
    throw new RelayError('link_refused', 'The request to join was refused on your other PC.');
  }
  if (state === 'expired') {
    throw new RelayError(
      'link_code_expired',
      'Nobody approved this PC before the link code expired: make a new one.',
    );
  }
  throw new RelayError(
    'link_code_used',
    'This PC was added and then removed: ask for a new link code.',
  );
}

/**
 * Adds the requested PC to the account as IT's `relay enrol --account` does: a one-time code the
 * relay issues to itself and redeems at once with the stored keys, so the device is made by the
 * same transaction as every other enrolment, with a new device id that is never reused.
 */
async function addDevice(services: RelayServices, link: LinkRecord, now: number): Promise<number> {
  const request = link.request;
  if (request === null || link.requestTokenHash === null) throw new Error('link without request');
  await checkCap(services, link.accountId);
  const codeHash = hashEnrolmentCode(newEnrolmentCode());
  await services.storage.issueEnrolmentCode({
    codeHash,
    expiresAt: now + 60_000,
    now,
    account: { accountId: link.accountId },
  });
  const result = await services.storage.redeemEnrolmentCode({
    codeHash,
    tokenHash: link.requestTokenHash,
    deviceName: request.deviceName,
    keys: {
      registrationId: request.registrationId,
      identityKey: b64(request.identityKey),
      signedPreKey: signed(request.signedPreKey),
      kyberLastResortPreKey: signed(request.kyberLastResortPreKey),
      preKeys: request.preKeys.map((k) => ({ keyId: k.keyId, publicKey: b64(k.publicKey) })),
      kyberPreKeys: request.kyberPreKeys.map(signed),
    },
    now,
  });
  if (!result.ok) {
    if (result.reason === 'device_limit') {
      throw new RelayError('device_limit', 'The account already had 127 devices.');
    }
    throw new RelayError('link_code_invalid', 'Your account can no longer take a device.');
  }
  await services.storage.appendRelayAudit({
    kind: 'device.enrolled',
    accountId: link.accountId,
    deviceId: result.deviceId,
    now,
  });
  services.logger.info('device_linked', { accountId: link.accountId, deviceId: result.deviceId });
  return result.deviceId;
}
