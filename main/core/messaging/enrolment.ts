import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { MessengerError } from '../../../shared/errors.js';
import {
  enrolRequestSchema,
  type EnrolRequest,
  type EnrolResponse,
} from '../../../shared/protocol/index.js';
import { runInAsyncTransaction } from '../db/async-transaction.js';
import type { SettingsRepository } from '../db/repositories/settings-repository.js';
import type { OpenProfile } from '../profile/open-profile.js';
import { createLocalIdentity } from '../signal/local-identity.js';
import {
  generateKyberPreKeys,
  generateLastResortKyberPreKey,
  generatePreKeys,
  generateSignedPreKey,
} from '../signal/prekey-generation.js';
import { createSignalStores } from '../signal/signal-stores.js';
import { linkLookup, linkProof } from './link-code.js';
import { preKeyJson, kyberPreKeyJson, signedPreKeyJson } from './prekey-json.js';
import { readRelayAccount, writeRelayAccount, type RelayAccount } from './relay-account.js';
import { RelayAddresses } from './relay/relay-addresses.js';
import { RelayHttp, RelayRequestError } from './relay/relay-http.js';
import type { TlsPin } from './relay/tls-pin.js';

export const ONE_TIME_PREKEY_BATCH = 100;

export interface EnrolInput {
  /** The relay: one URL, or several (a hosted relay's nodes), as a list or separated by commas. */
  readonly serverUrl: string | readonly string[];
  /** IT's enrolment code; or, instead, a link code made on another of the person's PCs. */
  readonly code?: string;
  readonly linkCode?: string;
  /** Told on every answer of a link that waits for approval on the other PC. */
  readonly onWaiting?: (expiresAt: number) => void;
  /** How often a waiting link asks again (ms). */
  readonly pollMs?: number;
  readonly deviceName?: string;
  readonly pin?: TlsPin | null;
  readonly now?: () => number;
}

/**
 * Enrols an unlocked profile with the relay (docs/protocol.md §2): generates the Signal identity,
 * registration id, signed prekey, last-resort Kyber prekey, one-time EC and Kyber prekeys and the
 * device's bearer token, redeems the code, and stores the account inside the encrypted profile.
 *
 * The keys and the request are committed before the request goes out, and the HTTP call runs
 * outside any transaction. So an answer lost on the way back (a dropped connection, a crash) is
 * recovered by sending the identical request again: the relay recognises its own earlier
 * redemption by the token only this device knows and answers as before, without a second code.
 * A refused code (a typing mistake) can be corrected and tried with the same keys.
 */
export async function enrolProfile(profile: OpenProfile, input: EnrolInput): Promise<RelayAccount> {
  const now = input.now ?? Date.now;
  const settings = profile.repositories.settings;
  if (readRelayAccount(settings)) {
    throw new MessengerError(
      'conflict',
      'This profile is already enrolled. Use a new profile to enrol again.',
    );
  }
  const addresses = new RelayAddresses(input.serverUrl);
  const http = new RelayHttp({ baseUrl: addresses, pin: input.pin ?? null });
  try {
    const code = input.code ?? linkPlaceholder;
    const pending =
      readPendingEnrolment(settings) ?? (await prepareEnrolment(profile, code, input, now));
    const request: EnrolRequest = { ...pending, code };
    writePendingEnrolment(settings, request, now());
    const response =
      input.linkCode === undefined
        ? await http.call('enrol', { body: request })
        : await redeemLinkCode(http, request, input.linkCode, input);
    const account: RelayAccount = {
      serverUrl: addresses.toStrings()[0]!,
      ...(addresses.several ? { serverUrls: addresses.toStrings() } : {}),
      accountId: response.accountId,
      deviceId: response.deviceId,
      token: response.token,
      displayName: response.displayName,
      role: response.role,
      org: response.org,
      enrolledAt: now(),
    };
    profile.db.transaction(() => {
      profile.db
        .prepare('UPDATE own_identity SET account_id = ?, device_id = ? WHERE singleton = 1')
        .run(response.accountId, response.deviceId);
      writeRelayAccount(settings, account, now());
      settings.delete(pendingKey);
      settings.set('signal.signedPreKeyRotatedAt', now(), now());
      profile.repositories.contacts.upsert(
        { accountId: account.accountId, displayName: account.displayName, role: account.role },
        now(),
      );
    })();
    return account;
  } catch (error) {
    throw enrolmentError(error);
  } finally {
    http.close();
  }
}

// A linked enrolment's pending request carries no enrolment code (the schema wants one).
const linkPlaceholder = 'link';

/**
 * Enrols with a link code (docs/protocol.md §2b): the same keys and token, sent with the code's
 * lookup and the proof that binds this identity key and name to the code, again and again while
 * the person's other PC has not decided.
 */
async function redeemLinkCode(
  http: RelayHttp,
  request: EnrolRequest,
  linkCode: string,
  input: EnrolInput,
): Promise<EnrolResponse> {
  const { code: _placeholder, ...keys } = request;
  const deviceName = keys.deviceName ?? 'Practice Messenger';
  const token = keys.token ?? '';
  const body = {
    ...keys,
    deviceName,
    token,
    lookup: linkLookup(linkCode).toString('base64'),
    proof: linkProof(linkCode, Buffer.from(keys.identityKey, 'base64'), deviceName).toString(
      'base64',
    ),
  };
  for (;;) {
    const answer = await http.call('redeemLink', { body });
    if (!('waiting' in answer)) return answer;
    input.onWaiting?.(answer.expiresAt);
    await new Promise((resolve) => setTimeout(resolve, input.pollMs ?? 1_500));
  }
}

/** Generates and commits the device's keys; returns the request without its code. */
async function prepareEnrolment(
  profile: OpenProfile,
  code: string,
  input: EnrolInput,
  now: () => number,
): Promise<EnrolRequest> {
  const db = profile.db;
  return runInAsyncTransaction(db, async () => {
    if (profile.repositories.ownIdentity.get()) {
      // Keys without an account or a pending request mean the profile was set up some other
      // way; replacing them silently would break sessions.
      throw new MessengerError(
        'conflict',
        'This profile already has a Signal identity but no relay account; create a new profile to enrol.',
      );
    }
    // The relay assigns the real device id; the stored one is updated on success.
    createLocalIdentity(db, { deviceId: 1, now: now() });
    const stores = createSignalStores(db, { now });
    const registrationId = await stores.identity.getLocalRegistrationId();
    const identity = await stores.identity.getIdentityKeyPair();
    const signedPreKey = await generateSignedPreKey(stores, 1, now());
    const kyberPreKeys = await generateKyberPreKeys(stores, ONE_TIME_PREKEY_BATCH, now());
    const lastResort = await generateLastResortKyberPreKey(stores, now());
    const preKeys = await generatePreKeys(stores, ONE_TIME_PREKEY_BATCH);
    const request: EnrolRequest = {
      code,
      registrationId,
      identityKey: Buffer.from(identity.publicKey.serialize()).toString('base64'),
      signedPreKey: signedPreKeyJson(signedPreKey),
      kyberLastResortPreKey: kyberPreKeyJson(lastResort),
      preKeys: preKeys.map(preKeyJson),
      kyberPreKeys: kyberPreKeys.map(kyberPreKeyJson),
      deviceName: (input.deviceName ?? hostname()).slice(0, 64) || 'Practice Messenger',
      token: randomBytes(32).toString('base64url'),
    };
    writePendingEnrolment(profile.repositories.settings, request, now());
    return request;
  });
}

// The request of an enrolment whose answer has not arrived, kept in the encrypted profile (it
// holds the device's token) until the relay's answer is stored.
const pendingKey = 'relay.pendingEnrolment';

/** True when an enrolment was sent but its answer never stored: send it again to finish. */
export function hasPendingEnrolment(profile: OpenProfile): boolean {
  const settings = profile.repositories.settings;
  return readRelayAccount(settings) === null && readPendingEnrolment(settings) !== null;
}

function readPendingEnrolment(settings: SettingsRepository): EnrolRequest | null {
  const pending = settings.get(pendingKey, enrolRequestSchema) ?? null;
  return pending?.token === undefined ? null : pending;
}

function writePendingEnrolment(
  settings: SettingsRepository,
  request: EnrolRequest,
  now: number,
): void {
  settings.set(pendingKey, request, now);
}

function enrolmentError(error: unknown): unknown {
  if (!(error instanceof RelayRequestError)) return error;
  switch (error.code) {
    case 'enrolment_code_invalid':
      return new MessengerError(
        'invalid_input',
        'The relay does not know this enrolment code. Check it for typing mistakes, or ask your practice manager for a new one.',
      );
    case 'enrolment_code_used':
      return new MessengerError(
        'invalid_input',
        'This enrolment code has already been used. Ask your practice manager for a new one.',
      );
    case 'enrolment_code_expired':
      return new MessengerError(
        'invalid_input',
        'This enrolment code has expired. Ask your practice manager for a new one.',
      );
    case 'device_limit':
      return new MessengerError(
        'conflict',
        'This account already has the maximum number of devices. Ask IT to revoke an old device.',
      );
    case 'rate_limited':
      return new MessengerError(
        'rate_limited',
        'Too many enrolment attempts from this computer; wait a minute and try again.',
      );
    case 'link_code_invalid':
      return new MessengerError(
        'invalid_input',
        'The relay does not know this link code. Check it for typing mistakes, or make a new one on your other PC.',
      );
    case 'link_code_used':
      return new MessengerError(
        'invalid_input',
        'This link code has already been used. Make a new one on your other PC.',
      );
    case 'link_code_expired':
      return new MessengerError(
        'invalid_input',
        'This link code expired before your other PC approved this one. Make a new one there.',
      );
    case 'link_refused':
      return new MessengerError(
        'forbidden',
        'Your other PC refused this one. If that was a mistake, make a new link code there.',
      );
    case 'device_cap':
      return new MessengerError('conflict', error.message, error.details);
    case 'network':
      return new MessengerError('network', error.message);
    default:
      return new MessengerError(
        error.retryable ? 'network' : 'invalid_input',
        `The relay refused the enrolment (${error.code}): ${error.message}`,
      );
  }
}
