import { encodeContent, type Content, type SyncEvent } from './content-codec.js';
import type { CoreContext } from './core-context.js';
import { newMessageId } from './message-ids.js';
import { listOwnDevices } from './own-devices.js';

/**
 * Sync between a person's own devices (docs/protocol.md, "Sync between a person's own
 * devices"): what one device does in a conversation (a message sent, messages read, deleted or
 * transcribed, a changed key acknowledged, a timer set) goes to the person's other devices as
 * ordinary end-to-end encrypted content, sent to the person's own account through the outbox,
 * in the same transaction as the change here. The relay learns nothing new: to it this is one
 * more envelope to the account (§5).
 */
export function enqueueSync(ctx: CoreContext, peer: string, sync: SyncEvent, now: number): void {
  if (!hasOtherDevices(ctx)) return;
  const content = { v: 1, id: newMessageId(now), sentAt: now, kind: 'sync', peer, sync } as Content;
  ctx.repos.outbox.enqueue(
    { kind: 'control', recipientAccountId: ctx.account.accountId, payload: encodeContent(content) },
    now,
  );
}

/**
 * Whether the person may have another device: one this device holds a session with, one the
 * relay listed at the last connect, or (before the first connect) possibly one. A device
 * enrolled since is found by the relay's `409 missingDevices` on the next sync, or at the next
 * connect.
 */
export function hasOtherDevices(ctx: CoreContext): boolean {
  if (!ctx.ownDevices.known || ctx.ownDevices.siblings.size > 0) return true;
  const { accountId, deviceId } = ctx.account;
  return ctx.stores.session.deviceIds(accountId).some((id) => id !== deviceId);
}

/**
 * Sync queued before the relay said the person has no other device: nothing to send it to.
 * Called by the outbox for rows addressed to the person's own account.
 */
export function syncHasNoTarget(ctx: CoreContext): boolean {
  return !hasOtherDevices(ctx);
}

/** Reads the person's devices from the relay (on connect); offline, what was known stays. */
export async function refreshSiblingDevices(ctx: CoreContext): Promise<void> {
  const devices = await listOwnDevices(ctx);
  ctx.ownDevices.siblings.clear();
  for (const device of devices) if (!device.current) ctx.ownDevices.siblings.add(device.deviceId);
  ctx.ownDevices.known = true;
}
