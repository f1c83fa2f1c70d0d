import { patientKeyRotatorRoles, type PatientKeysResponse } from '../../shared/protocol/index.js';

/**
 * Who may store which sealed copies of the practice's patient-reference key (docs/protocol.md
 * §13.1), decided the same way by both backends inside the write's transaction. The relay cannot
 * read the key; it only keeps each device to its part: a device that holds the key may share a
 * version it holds with the practice's other key-holding devices, the first holder may make
 * version 1, and only a manager or admin makes a newer version (a rotation).
 */

export interface PatientKeyUpload {
  org: string;
  accountId: string;
  deviceId: number;
  role: string;
  version: number;
  envelopes: { accountId: string; deviceId: number; sealed: Uint8Array }[];
  now: number;
}

export interface PatientKeyState {
  latest: number;
  /** Versions the uploading device was given. */
  callerVersions: readonly number[];
  /** The active key-holding devices of the organisation, as `accountId.deviceId`. */
  holders: ReadonlySet<string>;
}

export interface PatientKeyRefusal {
  code: 'invalid_input' | 'forbidden' | 'patient_key_conflict';
  message: string;
}

export type PatientKeyStoreResult =
  { ok: true; stored: number; latest: number } | { ok: false; refusal: PatientKeyRefusal };

export type PatientKeyHolder = {
  accountId: string;
  deviceId: number;
  identityKey: Uint8Array;
  versions: number[];
};

export type StoredPatientKeys = Omit<PatientKeysResponse, 'envelopes'> & {
  envelopes: { version: number; sealed: Uint8Array }[];
};

const deviceKey = (accountId: string, deviceId: number) => `${accountId}.${deviceId}`;

/** Null when the upload may be stored; otherwise why not. `creates`: a new version row. */
export function patientKeyUploadRefusal(
  upload: PatientKeyUpload,
  state: PatientKeyState,
): PatientKeyRefusal | null {
  const self = deviceKey(upload.accountId, upload.deviceId);
  if (!state.holders.has(self)) {
    return {
      code: 'forbidden',
      message: 'Reception devices do not hold the patient-reference key.',
    };
  }
  for (const e of upload.envelopes) {
    if (!state.holders.has(deviceKey(e.accountId, e.deviceId))) {
      return {
        code: 'invalid_input',
        message: `Device ${e.deviceId} of account ${e.accountId} is not an active key-holding device of this practice (reception devices never get the key).`,
      };
    }
  }
  if (upload.version > state.latest + 1) {
    return {
      code: 'invalid_input',
      message: `Key version ${upload.version} skips ahead: the practice's newest is ${state.latest}.`,
    };
  }
  if (upload.version === state.latest + 1) {
    if (state.latest > 0 && !(patientKeyRotatorRoles as readonly string[]).includes(upload.role)) {
      return {
        code: 'forbidden',
        message: `Only ${patientKeyRotatorRoles.join(' and ')} accounts may rotate the patient-reference key.`,
      };
    }
    if (!upload.envelopes.some((e) => deviceKey(e.accountId, e.deviceId) === self)) {
      return {
        code: 'invalid_input',
        message: 'A new key version must include a sealed copy for the device that made it.',
      };
    }
    return null;
  }
  if (!state.callerVersions.includes(upload.version)) {
    return {
      code: 'patient_key_conflict',
      message: `Key version ${upload.version} already exists and this device was not given it: fetch GET /v1/audit/patient-keys and use that one.`,
    };
  }
  return null;
}

export { deviceKey as patientKeyDeviceKey };
