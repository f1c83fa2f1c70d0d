import { randomBytes } from 'node:crypto';
import type { MessageKind } from '../../../../main/core/db/repositories/messages-repository.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import { expiryOfNewMessage } from '../../../../main/core/retention/expiry-policy.js';
import type { Role } from '../../../../shared/protocol/limits.js';
import { PASSCODE } from './temp-profiles.js';

export const GP = { accountId: 'acct-gp-khan', displayName: 'Dr Amira Khan', role: 'clinician' };
export const RECEPTION = { accountId: 'acct-rec-doe', displayName: 'Jane Doe', role: 'reception' };
export const MANAGER = { accountId: 'acct-pm-lee', displayName: 'Sam Lee', role: 'manager' };

export interface Person {
  accountId: string;
  displayName: string;
  role: string;
}

/** A real SQLCipher profile enrolled as `self`, with the practice directory filled in. */
export async function enrolledProfile(
  store: ProfileStore,
  self: Person,
  now: number,
  directory: readonly Person[] = [GP, RECEPTION, MANAGER],
): Promise<OpenProfile> {
  const profile = await store.create({ label: self.displayName, passcode: PASSCODE });
  const { ownIdentity, contacts } = profile.repositories;
  ownIdentity.create({
    accountId: null,
    deviceId: 1,
    registrationId: 1234,
    identityKeyPair: new Uint8Array(randomBytes(64)),
    createdAt: now,
  });
  ownIdentity.setAccountId(self.accountId);
  contacts.replaceDirectory(
    [self, ...directory.filter((p) => p.accountId !== self.accountId)].map((p) => ({
      accountId: p.accountId,
      displayName: p.displayName,
      role: p.role as Role,
    })),
    now,
  );
  return profile;
}

let counter = 0;
export function messageId(): string {
  counter += 1;
  return `msg-${process.pid}-${counter}-${randomBytes(4).toString('hex')}`;
}

/** Stores one message from `sender` in the direct conversation with `peer`; returns its id. */
export function storeMessage(
  profile: OpenProfile,
  input: {
    self: Person;
    peer: Person;
    sender: Person;
    text: string;
    sentAt: number;
    expiresAt?: number | null;
    kind?: MessageKind;
  },
): { id: string; conversationId: string } {
  const conversation = profile.repositories.conversations.getOrCreateDirect(
    input.peer.accountId,
    input.sentAt,
  );
  const id = messageId();
  const incoming = input.sender.accountId !== input.self.accountId;
  const receivedAt = incoming ? input.sentAt + 1_000 : null;
  const inserted = profile.repositories.messages.insert({
    id,
    conversationId: conversation.id,
    direction: incoming ? 'incoming' : 'outgoing',
    senderAccountId: input.sender.accountId,
    senderDeviceId: 1,
    body: input.text,
    status: incoming ? 'delivered' : 'sent',
    sentAt: input.sentAt,
    receivedAt,
    // Unless a test sets one: the expiry every real path stores (retention's rule).
    expiresAt:
      input.expiresAt ??
      expiryOfNewMessage(profile.repositories, conversation.id, receivedAt ?? input.sentAt),
    ...(input.kind ? { kind: input.kind } : {}),
  });
  if (!inserted) throw new Error('message not stored');
  return { id, conversationId: conversation.id };
}
