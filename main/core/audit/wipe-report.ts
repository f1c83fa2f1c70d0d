/**
 * The wrong-passcode wipe in the practice trail (docs/security.md, docs/protocol.md §13.2). After
 * the wipe the profile's database is gone and could not be opened anyway, so what the report
 * needs is kept outside it, in the OS keychain beside the profile's key secret: the relay's
 * address and the SHA-256 of the device's bearer token. The relay already stores that hash to
 * look the device up, so it identifies the device without being usable as the token: whoever
 * reads the keychain entry can report this device wiped (and so revoke it), nothing more.
 * It is written at each unlock of an enrolled profile (once; again if the relay or token
 * changed) and removed with the profile.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { OpenProfile } from '../profile/open-profile.js';
import type { ProfileStore } from '../profile/profile-store.js';
import { readRelayAccount } from '../messaging/relay-account.js';
import { RelayHttp } from '../messaging/relay/relay-http.js';
import { TlsPin } from '../messaging/relay/tls-pin.js';

const credentialSchema = z.object({
  serverUrl: z.url(),
  tokenHash: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
});

type SideSecrets = Pick<ProfileStore, 'getSideSecret' | 'setSideSecret' | 'deleteSideSecret'>;

/** Keeps the credential in step with the enrolled account; nothing for a profile not enrolled. */
export async function keepWipeReportCredential(
  store: SideSecrets,
  profile: Pick<OpenProfile, 'id' | 'repositories'>,
): Promise<void> {
  const account = readRelayAccount(profile.repositories.settings);
  if (!account) return;
  const credential = JSON.stringify({
    serverUrl: account.serverUrl,
    tokenHash: createHash('sha256').update(account.token).digest('base64'),
  });
  if ((await store.getSideSecret(profile.id, 'wipe-report')) === credential) return;
  await store.setSideSecret(profile.id, 'wipe-report', credential);
}

/** The credential, read before the wipe removes the profile; null when there is none. */
export async function takeWipeReportCredential(
  store: SideSecrets,
  profileId: string,
): Promise<z.infer<typeof credentialSchema> | null> {
  const stored = await store.getSideSecret(profileId, 'wipe-report').catch(() => null);
  if (stored === null) return null;
  try {
    return credentialSchema.parse(JSON.parse(stored));
  } catch {
    return null;
  }
}

/**
 * Tells the relay; true when it recorded the wipe. The entry is removed whatever happened: the
 * profile is gone, and a report that cannot be made now (offline) has nowhere to wait.
 */
export async function reportPasscodeWipe(
  store: SideSecrets,
  profileId: string,
  credential: z.infer<typeof credentialSchema>,
  facts: { failures: number; serverCertificateSha256?: string | null; timeoutMs?: number },
): Promise<boolean> {
  try {
    const http = new RelayHttp({
      baseUrl: credential.serverUrl,
      pin: facts.serverCertificateSha256 ? new TlsPin(facts.serverCertificateSha256) : null,
      timeoutMs: facts.timeoutMs ?? 5_000,
    });
    await http.call('wipeReport', {
      body: { tokenHash: credential.tokenHash, failures: facts.failures },
    });
    return true;
  } catch {
    return false;
  } finally {
    await store.deleteSideSecret(profileId, 'wipe-report').catch(() => false);
  }
}
