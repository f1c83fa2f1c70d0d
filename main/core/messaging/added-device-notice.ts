import type { MessageRecord } from '../db/repositories/messages-repository.js';
import { expiryOfNewMessage } from '../retention/expiry-policy.js';
import type { CoreContext } from './core-context.js';
import { newMessageId } from './message-ids.js';

/**
 * A colleague's further device was recorded (trusted on first use, not a change of identity):
 * writes a notice into the conversation with them, naming the device as the relay's directory
 * does ("Dr A Patel added a device: Room 4 PC"), so the reader sees who now receives their
 * messages. The device name is looked up after the identity was committed; offline, the notice
 * names the device by its number.
 */
export async function announceAddedDevice(
  ctx: CoreContext,
  accountId: string,
  deviceId: number,
): Promise<void> {
  let deviceName: string | null = null;
  try {
    const entry = await ctx.http.call('account', { params: { accountId } });
    deviceName = entry.devices.find((d) => d.deviceId === deviceId)?.name ?? null;
  } catch {
    // Offline or no longer listed: the notice still says that a device was added.
  }
  await ctx.txEmit(async (emit) => {
    const now = ctx.now();
    const { conversations, contacts, messages } = ctx.repos;
    const conversation = conversations.getOrCreateDirect(accountId, now);
    const name = contacts.get(accountId)?.displayName ?? 'A colleague';
    const id = newMessageId(now);
    messages.insert({
      id,
      conversationId: conversation.id,
      direction: 'incoming',
      senderAccountId: accountId,
      kind: 'notice',
      body: `${name} added a device: ${deviceName ?? `device ${deviceId}`}`,
      status: 'delivered',
      sentAt: now,
      receivedAt: now,
      expiresAt: expiryOfNewMessage(ctx.repos, conversation.id, now),
    });
    conversations.touch(conversation.id, now);
    emit({ type: 'message.added', message: messages.get(id) as MessageRecord });
    emit({ type: 'conversation.updated', conversationId: conversation.id });
  });
}
