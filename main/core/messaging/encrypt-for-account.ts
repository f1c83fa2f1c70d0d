import { ProtocolAddress, signalEncrypt } from '@signalapp/libsignal-client';
import type { HeldCopy, OutgoingEnvelope } from '../../../shared/protocol/index.js';
import { encodeContent, type Content } from './content-codec.js';
import type { CoreContext } from './core-context.js';

/**
 * Encrypts one content for every device of a person with the ordinary Signal sessions, without
 * sending it: the relay holds the result and may deliver it later as if sent then (a duty role's
 * escalation copy, protocol §14). The session state advances here, in one transaction, exactly
 * as for a sent message; a copy never delivered is just a skipped message to the recipient.
 */
export async function encryptForAccount(
  ctx: CoreContext,
  accountId: string,
  content: Content,
): Promise<HeldCopy> {
  const targets = await ctx.sessions.ensure(accountId);
  const bytes = encodeContent(content) as Uint8Array<ArrayBuffer>;
  const messages = await ctx.tx(async () => {
    const envelopes: OutgoingEnvelope[] = [];
    for (const target of targets) {
      const message = await signalEncrypt(
        bytes,
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
  });
  return { accountId, clientMessageId: content.id, messages };
}
