import { TransactionPreemptedError } from '../db/async-transaction.js';
import { describeError } from '../../../shared/describe-error.js';
import type { CoreContext } from './core-context.js';
import { encryptForDevices } from './encrypt-for-devices.js';

/**
 * Inside the transaction that queues an outbox row (issue 18): encrypts its content for the
 * recipient's devices now and keeps the envelopes in the row, so the message, the advanced
 * sessions and the ciphertext commit together and the outbox only has to send. Nothing is sealed
 * when there is no session yet (bundles need the network) or the person is blocked: the outbox
 * encrypts at send time then, as it always did. A failure here (an untrusted identity, say) is
 * undone under a savepoint and left to the outbox too, which reports it on the message.
 *
 * Safe across crashes: the ciphertext commits with the sessions that made it, or neither does.
 * A resend after a crash sends the same bytes with the same clientMessageId (the relay drops the
 * duplicate). The session store drops sealed envelopes of an account whose session it deletes.
 */
export async function sealOutboxRow(
  ctx: CoreContext,
  outboxId: number,
  recipient: string,
  bytes: Uint8Array,
): Promise<void> {
  if (ctx.sessions.isBlocked(recipient)) return;
  const targets = await ctx.sessions.targets(recipient);
  if (targets.length === 0) return;
  ctx.db.exec('SAVEPOINT seal');
  try {
    ctx.repos.outbox.seal(outboxId, await encryptForDevices(ctx, recipient, targets, bytes));
    ctx.db.exec('RELEASE seal');
  } catch (error) {
    // Rolled back by another writer: the whole unit runs again, this included.
    if (error instanceof TransactionPreemptedError) throw error;
    ctx.db.exec('ROLLBACK TO seal');
    ctx.db.exec('RELEASE seal');
    ctx.logger.warn('outbox_seal_failed', { outboxId, error: describeError(error) });
  }
}
