import { hkdfSync, scrypt } from 'node:crypto';

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * scrypt N=2^15, r=8, p=1: 32 MiB of memory and about 100 ms per derivation on a desktop, which
 * is the OWASP-recommended floor and keeps unlock instant for staff. Stored per profile, so it
 * can be raised later (a passcode change re-derives with the current default).
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

/**
 * What this app writes, and so all it accepts from a profile's metadata file (which anyone with
 * the folder can edit): r and p exactly as written, N a power of two from the tests' cheap 2^10
 * up to one step above the default (room to raise it once). The worst a tampered file can ask
 * for is then 128 * 2^16 * 8 bytes = 64 MiB and about twice the default unlock time.
 */
export const SCRYPT_BOUNDS = {
  minLog2N: 10,
  maxLog2N: 16,
  r: DEFAULT_SCRYPT_PARAMS.r,
  p: DEFAULT_SCRYPT_PARAMS.p,
} as const;

/** Why these parameters are outside SCRYPT_BOUNDS, naming the field; null when they are fine. */
export function scryptParamsProblem(
  params: ScryptParams,
): { field: 'N' | 'r' | 'p'; message: string } | null {
  const { minLog2N, maxLog2N, r, p } = SCRYPT_BOUNDS;
  const log2N = Math.log2(params.N);
  if (!Number.isInteger(log2N) || log2N < minLog2N || log2N > maxLog2N) {
    return {
      field: 'N',
      message: `must be a power of two from 2^${minLog2N} (${2 ** minLog2N}) to 2^${maxLog2N} (${2 ** maxLog2N}), the values this app writes; found ${params.N}`,
    };
  }
  if (params.r !== r)
    return { field: 'r', message: `must be ${r}, the value this app writes; found ${params.r}` };
  if (params.p !== p)
    return { field: 'p', message: `must be ${p}, the value this app writes; found ${params.p}` };
  return null;
}
export const SALT_BYTES = 16;
export const KEYCHAIN_SECRET_BYTES = 32;

const HKDF_INFO_PREFIX = 'practice-messenger/profile-db-key/v1/';

/**
 * Database key = HKDF-SHA256(ikm = keychainSecret || scrypt(passcode, salt), salt = salt,
 * info = prefix + profileId, 32 bytes). Needing both inputs is the point: the passcode alone
 * (shared desk PC, same Windows login) or the keychain alone (a copied folder plus the OS
 * account) is not enough. The profile id in `info` ties the key to this profile.
 */
export async function deriveDatabaseKey(input: {
  keychainSecret: Buffer;
  passcode: string;
  salt: Buffer;
  params: ScryptParams;
  profileId: string;
}): Promise<Buffer> {
  // The metadata schema checks this already; a derivation is never the place to spend minutes.
  const problem = scryptParamsProblem(input.params);
  if (problem) throw new RangeError(`scrypt ${problem.field} ${problem.message}`);
  const stretched = await scryptAsync(
    Buffer.from(normalisePasscode(input.passcode), 'utf8'),
    input.salt,
    input.params,
  );
  const ikm = Buffer.concat([input.keychainSecret, stretched]);
  try {
    return Buffer.from(hkdfSync('sha256', ikm, input.salt, HKDF_INFO_PREFIX + input.profileId, 32));
  } finally {
    stretched.fill(0);
    ikm.fill(0);
  }
}

/** The same passcode typed on another keyboard layout or OS must give the same bytes. */
export function normalisePasscode(passcode: string): string {
  return passcode.normalize('NFC');
}

function scryptAsync(password: Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // Node's default maxmem (32 MiB) is exactly 128*N*r for the defaults; leave headroom.
  const maxmem = 256 * params.N * params.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { ...params, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
