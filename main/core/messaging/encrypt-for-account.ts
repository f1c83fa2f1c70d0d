import type { HeldCopy } from '../../../shared/protocol/index.js';
import { encodeContent, type Content } from './content-codec.js';
import type { CoreContext } from './core-context.js';
import { encryptForDevices } from './encrypt-for-devices.js';

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
  const bytes = encodeContent(content);
  const messages = await ctx.tx(() => encryptForDevices(ctx, accountId, targets, bytes));
  return { accountId, clientMessageId: content.id, messages };
}
