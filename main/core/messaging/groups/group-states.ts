import { randomUUID } from 'node:crypto';
import { ProtocolAddress, type PublicKey } from '@signalapp/libsignal-client';
import type { CoreContext } from '../core-context.js';
import type { MessagingEvent } from '../messaging-events.js';
import { newMessageId } from '../message-ids.js';
import { expiryOfNewMessage } from '../../retention/expiry-policy.js';
import { MessengerError } from '../../../../shared/errors.js';
import { encodeContent, type Content } from '../content-codec.js';
import {
  changeAllowed,
  maxGroupMembers,
  signState,
  sortedIds,
  creationAllowed,
  pickHead,
  signatureValid,
  signedGroupStateSchema,
  stateHash,
  type ChangeVerdict,
  type GroupStateBody,
  type SignedGroupState,
} from './group-state.js';
import type { GroupsStore } from './groups-store.js';

type Emit = (event: MessagingEvent) => void;
export type StateOutcome = 'accepted' | 'pending' | 'known' | 'refused';

/**
 * Decides which signed group states this device accepts and what the group is now. A state is
 * accepted when its signature verifies against the signer device's identity key and it follows
 * its parent by the rules of group-state.ts; one whose parent has not arrived waits (pending)
 * unless its signer is an admin of the current state. The current state is the highest accepted
 * version, lowest hash on a tie, so concurrent changes converge on every device. Applying a new
 * current state updates the conversation, writes notices, and rotates this device's sender key
 * when someone was removed, so they cannot read what is sent after.
 */
export class GroupStates {
  constructor(
    private readonly ctx: CoreContext,
    private readonly store: GroupsStore,
    /**
     * A state signed by a device whose identity key this device has not met (a new device of a
     * member joins a group made by someone it never wrote to): true to keep the content that
     * carries it until the key is fetched (GroupInbound.settleWaits), false to refuse it.
     */
    private readonly waitForSigner: (signer: SignedGroupState['signer']) => boolean = () => false,
  ) {}

  /** The current state of a group, or null when this device never accepted one. */
  head(groupId: string): GroupStateBody | null {
    const group = this.store.group(groupId);
    if (!group) return null;
    return this.body(group.headHash);
  }

  headSigned(groupId: string): SignedGroupState | null {
    const group = this.store.group(groupId);
    const stored = group ? this.store.state(group.headHash) : null;
    return stored ? parseSigned(stored.signed) : null;
  }

  /**
   * Inside a transaction: signs a change made on this device, accepts it here by the same rules
   * as anyone's, and queues it 1:1 for everyone in the old or the new state (a removed member
   * learns of it; a new one gets the state it joins).
   */
  async author(
    body: GroupStateBody,
    previousMembers: readonly string[],
    emit: Emit,
  ): Promise<void> {
    const { account, stores } = this.ctx;
    const key = await stores.identity.getIdentityKey();
    const signed = signState(
      body,
      { accountId: account.accountId, deviceId: account.deviceId },
      key,
    );
    const outcome = await this.receive(signed, emit);
    if (outcome !== 'accepted') {
      throw new MessengerError('internal', `The group change was not accepted here (${outcome}).`);
    }
    const now = this.ctx.now();
    const content: Content = {
      v: 1,
      id: newMessageId(now),
      sentAt: now,
      kind: 'group-update',
      state: signed,
    };
    const payload = encodeContent(content);
    // The person's other devices need the state too; the outbox drops it when there are none.
    for (const member of sortedIds([...previousMembers, ...body.members])) {
      this.ctx.repos.outbox.enqueue({ kind: 'control', recipientAccountId: member, payload }, now);
    }
    this.ctx.kickOutbox();
  }

  /** Inside a transaction: judge a state from anyone (the relay cannot make one that passes). */
  async receive(signed: SignedGroupState, emit: Emit): Promise<StateOutcome> {
    const hash = stateHash(signed.body);
    if (this.store.state(hash)) return 'known';
    const key = await this.signerKey(signed.signer);
    if (!key && this.waitForSigner(signed.signer)) {
      throw new MessengerError(
        'not_found',
        'A group state signed by a device whose key is not known here yet.',
      );
    }
    if (!key || !signatureValid(signed, key)) {
      return this.refuse(signed, key ? 'bad signature' : 'signer identity unknown');
    }
    const verdict = this.judge(signed);
    if (verdict === 'pending') {
      this.save(signed, 'pending');
      return 'pending';
    }
    if (!verdict.ok) return this.refuse(signed, verdict.reason);
    this.save(signed, 'accepted');
    this.acceptWaitingChildren(hash);
    await this.applyHead(signed.body.groupId, emit);
    return 'accepted';
  }

  /** The current state changed (or may have): bring the conversation and keys in line. */
  private async applyHead(groupId: string, emit: Emit): Promise<void> {
    const accepted = this.store.acceptedStates(groupId);
    const head = pickHead(accepted);
    if (!head) return;
    const next = parseSigned(head.signed);
    const group = this.store.group(groupId);
    const self = this.ctx.account.accountId;
    const now = this.ctx.now();
    const { conversations } = this.ctx.repos;
    if (!group) {
      this.store.insertGroup(groupId, head.hash, randomUUID());
      if (!conversations.get(groupId)) {
        conversations.createGroup(next.body.name, next.body.members, now, groupId);
      }
      conversations.setDisappearingSeconds(groupId, next.body.disappearingSeconds ?? null);
      this.notice(groupId, next, created(next, this.nameOf.bind(this)), emit);
      if (!next.body.members.includes(self)) this.store.setLeft(groupId, now);
      emit({ type: 'conversation.updated', conversationId: groupId });
      return;
    }
    if (group.headHash === head.hash) return;
    const previous = this.body(group.headHash);
    this.store.setHead(groupId, head.hash);
    conversations.setTitle(groupId, next.body.name);
    conversations.setDisappearingSeconds(groupId, next.body.disappearingSeconds ?? null);
    for (const member of previous?.members ?? []) {
      if (!next.body.members.includes(member)) conversations.removeMember(groupId, member);
    }
    for (const member of next.body.members) conversations.addMember(groupId, member);
    const removed = (previous?.members ?? []).filter((m) => !next.body.members.includes(m));
    const stillIn = next.body.members.includes(self);
    if (!stillIn) {
      if (group.leftAt === null) this.store.setLeft(groupId, now);
      // Nothing more is read or sent here; the keys of the group go.
      this.store.forgetSenderKeys(groupId);
    } else if (removed.length > 0 || group.leftAt !== null) {
      // Whoever was removed held this device's sender key: a fresh one for what is sent next.
      this.store.clearShares(group.distributionId);
      this.store.setDistribution(groupId, randomUUID());
      if (group.leftAt !== null) this.store.setLeft(groupId, null);
      for (const member of removed) this.store.forgetSenderKeys(groupId, member);
    }
    if (previous) {
      for (const text of describeChange(previous, next, this.nameOf.bind(this), self)) {
        this.notice(groupId, next, text, emit);
      }
    }
    emit({ type: 'conversation.updated', conversationId: groupId });
    if (stillIn) await this.reapplyLostChanges(groupId, head.hash, next.body, emit);
  }

  /**
   * A change of ours that lost to a concurrent one (a rival branch off the current state's
   * history) is made again on top of the current state, so that both admins' intentions hold
   * once everyone has converged: "add E" and "remove D" made at once end as both, everywhere.
   */
  private async reapplyLostChanges(
    groupId: string,
    headHash: string,
    head: GroupStateBody,
    emit: Emit,
  ): Promise<void> {
    const self = this.ctx.account;
    if (!head.admins.includes(self.accountId)) return;
    const lineage = new Set<string>();
    for (let hash: string | null = headHash; hash !== null;) {
      lineage.add(hash);
      const stored = this.store.state(hash);
      hash = stored ? parseSigned(stored.signed).body.parentHash : null;
    }
    let members = head.members;
    let admins = head.admins;
    for (const state of this.store.acceptedStates(groupId)) {
      if (lineage.has(state.hash)) continue;
      const lost = parseSigned(state.signed);
      if (lost.signer.accountId !== self.accountId || lost.signer.deviceId !== self.deviceId)
        continue;
      // Only a rival of the latest changes: an older loss was either made again already or
      // overtaken by later deliberate changes, which must not be undone.
      if (lost.body.version < head.version - 1) continue;
      const parentHash = lost.body.parentHash;
      if (parentHash === null || !lineage.has(parentHash)) continue;
      const parent = this.body(parentHash);
      if (!parent) continue;
      const added = lost.body.members.filter((m) => !parent.members.includes(m));
      const removed = parent.members.filter((m) => !lost.body.members.includes(m));
      members = sortedIds([...members.filter((m) => !removed.includes(m)), ...added]);
      admins = admins.filter((a) => !removed.includes(a));
    }
    if (members.join() === head.members.join() || members.length > maxGroupMembers) return;
    this.ctx.logger.info('group_change_reapplied', { groupId, version: head.version + 1 });
    await this.author(
      {
        ...head,
        members,
        admins: sortedIds([...admins.filter((a) => members.includes(a))]),
        version: head.version + 1,
        parentHash: headHash,
        changedAt: Math.max(this.ctx.now(), head.changedAt + 1),
      },
      head.members,
      emit,
    );
  }

  private judge(signed: SignedGroupState): ChangeVerdict | 'pending' {
    const body = signed.body;
    const group = this.store.group(body.groupId);
    const self = this.ctx.account.accountId;
    if (body.parentHash === null) {
      // A second "first state" for a known group would let any member crown themselves.
      if (group) return { ok: false, reason: 'group already exists' };
      return creationAllowed(signed);
    }
    const parent = this.store.state(body.parentHash);
    if (parent?.status === 'accepted') {
      return changeAllowed(parseSigned(parent.signed).body, signed);
    }
    const head = group ? this.body(group.headHash) : null;
    if (!head || !head.members.includes(self)) {
      // Joining (or joining again) without the history: the state must name us and be made by
      // one of its own admins; earlier states are not ours to check.
      return body.members.includes(self) && body.admins.includes(signed.signer.accountId)
        ? { ok: true }
        : { ok: false, reason: 'not a member of it' };
    }
    if (body.version > head.version && head.admins.includes(signed.signer.accountId)) {
      // A later change by a current admin whose parent has not reached us yet.
      return { ok: true };
    }
    return 'pending';
  }

  private acceptWaitingChildren(parentHash: string): void {
    for (const child of this.store.pendingChildren(parentHash)) {
      const parent = this.store.state(parentHash);
      if (!parent) return;
      if (changeAllowed(parseSigned(parent.signed).body, parseSigned(child.signed)).ok) {
        this.store.accept(child.hash);
        this.acceptWaitingChildren(child.hash);
      }
    }
  }

  private save(signed: SignedGroupState, status: 'accepted' | 'pending'): void {
    this.store.saveState(
      {
        hash: stateHash(signed.body),
        groupId: signed.body.groupId,
        version: signed.body.version,
        parentHash: signed.body.parentHash,
        signed: JSON.stringify(signed),
      },
      status,
      this.ctx.now(),
    );
  }

  private refuse(signed: SignedGroupState, reason: string): 'refused' {
    this.ctx.logger.warn('group_state_refused', {
      groupId: signed.body.groupId,
      version: signed.body.version,
      signer: signed.signer.accountId,
      reason,
    });
    return 'refused';
  }

  /** The identity key of the signing device, as this device knows it (its own, or from a session). */
  private async signerKey(signer: SignedGroupState['signer']): Promise<PublicKey | null> {
    const { account, stores } = this.ctx;
    if (signer.accountId === account.accountId && signer.deviceId === account.deviceId) {
      return (await stores.identity.getIdentityKeyPair()).publicKey;
    }
    return stores.identity.getIdentity(ProtocolAddress.new(signer.accountId, signer.deviceId));
  }

  private body(hash: string): GroupStateBody | null {
    const stored = this.store.state(hash);
    return stored ? parseSigned(stored.signed).body : null;
  }

  private nameOf(accountId: string): string {
    if (accountId === this.ctx.account.accountId) return 'You';
    return this.ctx.repos.contacts.get(accountId)?.displayName ?? 'Someone not in your directory';
  }

  private notice(groupId: string, state: SignedGroupState, text: string, emit: Emit): void {
    const { messages, conversations } = this.ctx.repos;
    const now = this.ctx.now();
    const id = newMessageId(now);
    messages.insert({
      id,
      conversationId: groupId,
      direction: 'incoming',
      senderAccountId: state.signer.accountId,
      kind: 'notice',
      body: text,
      status: 'delivered',
      sentAt: state.body.changedAt,
      receivedAt: now,
      expiresAt: expiryOfNewMessage(this.ctx.repos, groupId, now),
    });
    conversations.touch(groupId, now);
    const stored = messages.get(id);
    if (stored) emit({ type: 'message.added', message: stored });
  }
}

export function parseSigned(json: string): SignedGroupState {
  return signedGroupStateSchema.parse(JSON.parse(json));
}

function created(state: SignedGroupState, nameOf: (id: string) => string): string {
  return `${nameOf(state.signer.accountId)} created the group "${state.body.name}" with ${state.body.members.length} members.`;
}

function describeChange(
  previous: GroupStateBody,
  next: SignedGroupState,
  nameOf: (id: string) => string,
  self: string,
): string[] {
  const by = nameOf(next.signer.accountId);
  const lines: string[] = [];
  if (previous.name !== next.body.name) lines.push(`${by} renamed the group "${next.body.name}".`);
  if (previous.disappearingSeconds !== next.body.disappearingSeconds) {
    const seconds = next.body.disappearingSeconds;
    lines.push(
      seconds === undefined
        ? `${by} turned off disappearing messages.`
        : `${by} set messages to disappear ${durationText(seconds)} after they are sent.`,
    );
  }
  for (const member of next.body.members) {
    if (!previous.members.includes(member)) lines.push(`${by} added ${nameOf(member)}.`);
  }
  for (const member of previous.members) {
    if (next.body.members.includes(member)) continue;
    if (member === next.signer.accountId)
      lines.push(`${by === 'You' ? 'You' : by} left the group.`);
    else if (member === self) lines.push(`${by} removed you from the group.`);
    else lines.push(`${by} removed ${nameOf(member)}.`);
  }
  for (const admin of next.body.admins) {
    if (!previous.admins.includes(admin) && previous.members.includes(admin)) {
      lines.push(`${nameOf(admin)} ${admin === self ? 'are' : 'is'} now an admin.`);
    }
  }
  return lines;
}

/** "1 hour", "7 days": the timer as the notice says it. */
export function durationText(seconds: number): string {
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    if (seconds % size === 0) {
      const count = seconds / size;
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}
