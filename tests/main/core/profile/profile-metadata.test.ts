import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SCRYPT_PARAMS,
  deriveDatabaseKey,
} from '../../../../main/core/profile/key-derivation.js';
import { readProfileMetadata } from '../../../../main/core/profile/profile-metadata.js';
import { isMessengerError } from '../../../../shared/errors.js';
import { CHEAP_SCRYPT, makeTempDir } from '../helpers/temp-profiles.js';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.cleanup());

const id = randomUUID();
const kdf = (params: Record<string, unknown>) => ({
  algorithm: 'scrypt',
  salt: randomBytes(16).toString('base64'),
  ...params,
});

function read(metadata: Record<string, unknown>) {
  const file = path.join(temp.dir, 'profile.json');
  writeFileSync(
    file,
    JSON.stringify({
      format: 1,
      id,
      label: 'Reception desk',
      createdAt: new Date().toISOString(),
      ...metadata,
    }),
  );
  return () => readProfileMetadata(file, id);
}

function refusal(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(isMessengerError(error, 'database_corrupt')).toBe(true);
    return error as Error;
  }
  throw new Error('expected the metadata to be refused');
}

describe('KDF parameters in profile metadata', () => {
  it('accepts what the app writes: the default and the cheap test parameters', () => {
    expect(read({ kdf: kdf({ ...DEFAULT_SCRYPT_PARAMS }) })().kdf).toMatchObject(
      DEFAULT_SCRYPT_PARAMS,
    );
    expect(read({ kdf: kdf({ ...CHEAP_SCRYPT }) })().kdf).toMatchObject(CHEAP_SCRYPT);
  });

  // Each of these was accepted before, and costs a gigabyte or minutes of scrypt at unlock.
  it.each([
    [
      'N',
      { N: 2 ** 20, r: 8, p: 1 },
      /kdf\.N/,
      /power of two from 2\^10 \(1024\) to 2\^16 \(65536\).*found 1048576/,
    ],
    ['N', { N: 2 ** 15 + 1, r: 8, p: 1 }, /kdf\.N/, /power of two/],
    ['r', { N: 2 ** 15, r: 32, p: 1 }, /kdf\.r/, /must be 8.*found 32/],
    ['p', { N: 2 ** 15, r: 8, p: 16 }, /kdf\.p/, /must be 1.*found 16/],
  ])('refuses a tampered %s with an error naming the field', (_field, params, where, why) => {
    const error = refusal(read({ kdf: kdf(params) }));
    expect(error.message).toMatch(where);
    expect(error.message).toMatch(why);
  });

  it('bounds a pending passcode change the same way', () => {
    const error = refusal(
      read({ kdf: kdf({ ...CHEAP_SCRYPT }), pendingKdf: kdf({ N: 2 ** 15, r: 8, p: 4 }) }),
    );
    expect(error.message).toMatch(/pendingKdf\.p/);
  });

  it('refuses out-of-bounds parameters at derivation too, before any work', async () => {
    await expect(
      deriveDatabaseKey({
        keychainSecret: randomBytes(32),
        passcode: 'correct horse 1',
        salt: randomBytes(16),
        params: { N: 2 ** 22, r: 8, p: 1 },
        profileId: id,
      }),
    ).rejects.toThrow(/scrypt N must be a power of two/);
  });
});
