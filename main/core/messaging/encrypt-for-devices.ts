import { ProtocolAddress, signalEncrypt } from '@signalapp/libsignal-client';
import type { OutgoingEnvelope } from '../../../shared/protocol/index.js';
import type { CoreContext } from './core-context.js';
import type { DeviceTarget } from './device-sessions.js';

/**
 * One content encrypted for each of a person's devices, as PUT /v1/messages carries it. Call it
 * inside a transaction of the core: each encryption advances and saves that device's session.
 */
export async function encryptForDevices(
  ctx: Pick<CoreContext, 'stores' | 'local' | 'now'>,
  accountId: string,
  targets: readonly DeviceTarget[],
  bytes: Uint8Array,
): Promise<OutgoingEnvelope[]> {
  const envelopes: OutgoingEnvelope[] = [];
  for (const target of targets) {
    const message = await signalEncrypt(
      bytes as Uint8Array<ArrayBuffer>,
      ProtocolAddress.new(accountId, target.deviceId),
      ctx.local,
      ctx.stores.session,
      ctx.stores.identity,
      new Date(ctx.now()),
    );
    envelopes.push({
      deviceId: target.deviceId,
      registrationId: target.registrationId,
      type: message.type() as OutgoingEnvelope['type'],
      content: Buffer.from(message.serialize()).toString('base64'),
    });
  }
  return envelopes;
}

/** Whether envelopes were encrypted for exactly these devices (ids and registration ids). */
export function sealedForTargets(
  envelopes: readonly OutgoingEnvelope[],
  targets: readonly DeviceTarget[],
): boolean {
  if (envelopes.length !== targets.length) return false;
  return targets.every((target) =>
    envelopes.some(
      (e) => e.deviceId === target.deviceId && e.registrationId === target.registrationId,
    ),
  );
}
