import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { MessengerError } from '../../../shared/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { SALT_BYTES, scryptParamsProblem } from './key-derivation.js';

const base64Salt = z
  .string()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
  .refine((value) => Buffer.from(value, 'base64').length === SALT_BYTES, {
    message: `must decode to ${SALT_BYTES} bytes`,
  });

/**
 * KDF parameters bounded to what the app writes (SCRYPT_BOUNDS): a tampered file must not make
 * unlock take minutes or gigabytes. Types are checked first, then the bounds, naming the field.
 */
const kdfSchema = z
  .object({
    algorithm: z.literal('scrypt'),
    N: z.number().int(),
    r: z.number().int(),
    p: z.number().int(),
    salt: base64Salt,
  })
  .superRefine((kdf, context) => {
    const problem = scryptParamsProblem(kdf);
    if (problem)
      context.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });

/**
 * The plain (unencrypted) profile metadata file. Nothing secret: knowing the salt and KDF
 * parameters does not help without the keychain secret. `pendingKdf` exists only while a
 * passcode change is in flight (see ProfileStore.changePasscode).
 */
export const profileMetadataSchema = z.strictObject({
  format: z.literal(1),
  id: z.uuid(),
  label: z.string().min(1).max(100),
  createdAt: z.iso.datetime(),
  kdf: kdfSchema,
  pendingKdf: kdfSchema.optional(),
});

export type ProfileMetadata = z.infer<typeof profileMetadataSchema>;
export type KdfRecord = z.infer<typeof kdfSchema>;

export const METADATA_FILE = 'profile.json';

export function readProfileMetadata(file: string, expectedId: string): ProfileMetadata {
  if (!existsSync(file)) {
    throw new MessengerError('profile_not_found', `No profile metadata at ${file}.`, { file });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw corrupt(file, `it is not valid JSON (${(error as Error).message})`);
  }
  const result = profileMetadataSchema.safeParse(parsed);
  if (!result.success) throw corrupt(file, z.prettifyError(result.error).replace(/\n/g, '; '));
  if (result.data.id !== expectedId) {
    throw corrupt(file, `it belongs to profile ${result.data.id}, not to folder ${expectedId}`);
  }
  return result.data;
}

export function writeProfileMetadata(file: string, metadata: ProfileMetadata): void {
  writeFileAtomic(file, `${JSON.stringify(profileMetadataSchema.parse(metadata), null, 2)}\n`);
}

function corrupt(file: string, why: string): MessengerError {
  return new MessengerError(
    'database_corrupt',
    `The profile metadata file ${file} is corrupt: ${why}. Restore it from a backup or re-enrol.`,
    { file },
  );
}
