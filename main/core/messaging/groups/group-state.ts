/**
 * A group's state (name, members, admins) as one signed, versioned document. It travels only
 * inside end-to-end encrypted content, so the relay can neither read it nor forge it; each change
 * is signed by the identity key of the device that made it, and a client accepts a change only
 * from someone who was an admin in the state it changes (or a member leaving on their own).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PrivateKey, PublicKey } from '@signalapp/libsignal-client';

export const maxGroupMembers = 100;
export const maxGroupNameLength = 80;
export const maxDisappearingSeconds = 366 * 24 * 3600;

const accountId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const sortedUnique = (list: readonly string[]) =>
  list.every((id, i) => i === 0 || (list[i - 1] as string) < id);

export const groupStateBodySchema = z
  .object({
    v: z.literal(1),
    groupId: accountId,
    version: z.number().int().min(1),
    /** The hash of the state this one changes; null for the first. */
    parentHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    name: z.string().trim().min(1).max(maxGroupNameLength),
    members: z.array(accountId).min(1).max(maxGroupMembers).refine(sortedUnique, {
      message: 'members must be sorted and unique',
    }),
    admins: z.array(accountId).max(maxGroupMembers).refine(sortedUnique, {
      message: 'admins must be sorted and unique',
    }),
    changedAt: z.number().int().nonnegative(),
    /**
     * The group's disappearing-message timer (seconds after sending); absent when off. Part of
     * the signed state, so only an admin sets it and every device converges on the same one.
     */
    disappearingSeconds: z.number().int().min(1).max(maxDisappearingSeconds).optional(),
  })
  .refine((body) => body.admins.every((a) => body.members.includes(a)), {
    message: 'every admin must be a member',
  })
  .refine((body) => (body.version === 1) === (body.parentHash === null), {
    message: 'only version 1 has no parent',
  });
export type GroupStateBody = z.infer<typeof groupStateBodySchema>;

export const signedGroupStateSchema = z.object({
  body: groupStateBodySchema,
  signer: z.object({ accountId, deviceId: z.number().int().min(1).max(127) }),
  /** The signer device's identity key over `signingBytes(body)`, base64. */
  signature: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .max(200),
});
export type SignedGroupState = z.infer<typeof signedGroupStateSchema>;

const domain = 'pmsg-group-state-v1\n';

/** The body with its keys in a fixed order, so every device hashes and verifies the same bytes. */
export function canonicalBody(body: GroupStateBody): string {
  return JSON.stringify({
    v: body.v,
    groupId: body.groupId,
    version: body.version,
    parentHash: body.parentHash,
    name: body.name,
    members: body.members,
    admins: body.admins,
    changedAt: body.changedAt,
    // Only when set, so states without a timer hash and verify as they always did.
    ...(body.disappearingSeconds === undefined
      ? {}
      : { disappearingSeconds: body.disappearingSeconds }),
  });
}

function signingBytes(body: GroupStateBody): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(domain + canonicalBody(body), 'utf8'));
}

/** The state's identity: what children name as their parent, and the tie-break between rivals. */
export function stateHash(body: GroupStateBody): string {
  return createHash('sha256').update(domain).update(canonicalBody(body)).digest('hex');
}

export function signState(
  body: GroupStateBody,
  signer: { accountId: string; deviceId: number },
  key: PrivateKey,
): SignedGroupState {
  const checked = groupStateBodySchema.parse(body);
  return {
    body: checked,
    signer,
    signature: Buffer.from(key.sign(signingBytes(checked))).toString('base64'),
  };
}

export function signatureValid(state: SignedGroupState, signerKey: PublicKey): boolean {
  try {
    return signerKey.verify(
      signingBytes(state.body),
      new Uint8Array(Buffer.from(state.signature, 'base64')),
    );
  } catch {
    return false;
  }
}

export type ChangeVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether `next` may follow `parent`: the next version of the same group, made by an admin of
 * the parent — or by a member whose only change is removing themselves (anyone may leave).
 */
export function changeAllowed(parent: GroupStateBody, next: SignedGroupState): ChangeVerdict {
  const body = next.body;
  if (body.groupId !== parent.groupId) return { ok: false, reason: 'another group' };
  if (body.version !== parent.version + 1) return { ok: false, reason: 'version does not follow' };
  if (body.parentHash !== stateHash(parent)) return { ok: false, reason: 'parent mismatch' };
  const signer = next.signer.accountId;
  if (parent.admins.includes(signer)) return { ok: true };
  const leaving =
    parent.members.includes(signer) &&
    body.name === parent.name &&
    body.disappearingSeconds === parent.disappearingSeconds &&
    sameList(
      body.members,
      parent.members.filter((m) => m !== signer),
    ) &&
    sameList(
      body.admins,
      parent.admins.filter((a) => a !== signer),
    );
  return leaving ? { ok: true } : { ok: false, reason: 'signer is not an admin' };
}

/** The first state of a group: its creator signs it and is one of its admins. */
export function creationAllowed(state: SignedGroupState): ChangeVerdict {
  if (state.body.version !== 1) return { ok: false, reason: 'not a first state' };
  return state.body.admins.includes(state.signer.accountId)
    ? { ok: true }
    : { ok: false, reason: 'creator is not an admin' };
}

/**
 * The current state among accepted ones: the highest version, then the lowest hash. Every device
 * holding the same accepted states picks the same one, whatever order they arrived in.
 */
export function pickHead<T extends { version: number; hash: string }>(
  states: readonly T[],
): T | null {
  let head: T | null = null;
  for (const state of states) {
    if (
      head === null ||
      state.version > head.version ||
      (state.version === head.version && state.hash < head.hash)
    ) {
      head = state;
    }
  }
  return head;
}

export function sortedIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort();
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
