import { createDecipheriv } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Keychain } from '../../../../main/core/keychain/keychain.js';
import { deriveDatabaseKey } from '../../../../main/core/profile/key-derivation.js';
import {
  METADATA_FILE,
  readProfileMetadata,
} from '../../../../main/core/profile/profile-metadata.js';
import { DATABASE_FILE } from '../../../../main/core/profile/profile-store.js';

/**
 * Decrypts the raw pages of a profile's SQLCipher 4 files by hand, so a test can look for text
 * left in free space or in the WAL: what an attacker with the key would find, which a SELECT
 * never shows. Layout (SQLCipher 4, raw key): 4096-byte pages, each ending in a 16-byte IV and a
 * 64-byte HMAC; page 1 starts with the 16-byte file salt; AES-256-CBC, no padding.
 */
const pageSize = 4096;
const reserve = 16 + 64;
const walHeader = 32;
const walFrameHeader = 24;

export async function profileKey(
  keychain: Keychain,
  directory: string,
  profileId: string,
  passcode: string,
): Promise<Buffer> {
  const metadata = readProfileMetadata(path.join(directory, METADATA_FILE), profileId);
  const secret = Buffer.from((await keychain.getSecret(profileId)) ?? '', 'base64');
  return deriveDatabaseKey({
    keychainSecret: secret,
    passcode,
    salt: Buffer.from(metadata.kdf.salt, 'base64'),
    params: { N: metadata.kdf.N, r: metadata.kdf.r, p: metadata.kdf.p },
    profileId,
  });
}

export function decryptPage(key: Buffer, page: Buffer, pageNumber: number): Buffer {
  const start = pageNumber === 1 ? 16 : 0;
  const iv = page.subarray(pageSize - reserve, pageSize - reserve + 16);
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  decipher.setAutoPadding(false);
  return Buffer.concat([
    decipher.update(page.subarray(start, pageSize - reserve)),
    decipher.final(),
  ]);
}

/** Every decrypted page of the main file and of every frame in the WAL, by file name. */
export function decryptedProfileFiles(key: Buffer, directory: string): Map<string, Buffer[]> {
  const dbFile = path.join(directory, DATABASE_FILE);
  const result = new Map<string, Buffer[]>();
  const main = readFileSync(dbFile);
  const pages: Buffer[] = [];
  for (let offset = 0; offset + pageSize <= main.length; offset += pageSize) {
    pages.push(decryptPage(key, main.subarray(offset, offset + pageSize), offset / pageSize + 1));
  }
  result.set(DATABASE_FILE, pages);
  const walFile = `${dbFile}-wal`;
  if (existsSync(walFile)) {
    const wal = readFileSync(walFile);
    const frames: Buffer[] = [];
    for (let offset = walHeader; offset + walFrameHeader + pageSize <= wal.length;) {
      const pageNumber = wal.readUInt32BE(offset);
      const page = wal.subarray(offset + walFrameHeader, offset + walFrameHeader + pageSize);
      frames.push(decryptPage(key, page, pageNumber));
      offset += walFrameHeader + pageSize;
    }
    result.set(`${DATABASE_FILE}-wal`, frames);
  }
  return result;
}

/** Names of the files (main, WAL) where `marker` appears in a decrypted page. */
export function filesWithDecryptedText(key: Buffer, directory: string, marker: string): string[] {
  const needle = Buffer.from(marker, 'utf8');
  return [...decryptedProfileFiles(key, directory)]
    .filter(([, pages]) => pages.some((page) => page.includes(needle)))
    .map(([name]) => name);
}
