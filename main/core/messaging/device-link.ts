import { z } from 'zod';
import { MessengerError } from '../../../shared/errors.js';
import type { LinkStateName, LinkView } from '../../../shared/protocol/index.js';
import type { CoreContext } from './core-context.js';
import { enqueueHistory } from './history-transfer.js';
import { linkLookup, linkProof, newLinkCode } from './link-code.js';
import { listOwnDevices } from './own-devices.js';
import { toMessengerError } from './relay-errors.js';
import { RelayRequestError } from './relay/relay-http.js';

// The existing PC's side of linking a new one (docs/protocol.md §2b): it makes the code, checks
// that the PC asking to join proves it holds the code, and approves or refuses it by name.

/** The code, kept in the encrypted profile until decided: the proof is checked with it. */
const currentKey = 'link.current';
const storedLinkSchema = z.object({ code: z.string(), expiresAt: z.number() });
/**
 * Set before an approval is sent, cleared in the transaction that queues the history: if this
 * PC is killed in between, the next look at the link (status or decision) queues it.
 */
const historyOwedKey = 'link.historyOwed';
const historyOwedSchema = z.object({ expiresAt: z.number() });

/** Queues the recent history for the PC just added, once, with the sessions' new sibling. */
async function sendHistory(ctx: CoreContext, deviceId: number): Promise<void> {
  await ctx.tx(async () => {
    ctx.ownDevices.siblings.add(deviceId);
    enqueueHistory(ctx, ctx.now());
    ctx.repos.settings.delete(historyOwedKey);
    ctx.repos.settings.delete(currentKey);
  });
  ctx.kickOutbox();
}

/** An approval whose history was never queued (killed in between) is finished now. */
async function resumeHistory(ctx: CoreContext, link: LinkView | null): Promise<void> {
  // Added by the code alone (policy linkWithoutApproval): this PC learns of it here.
  const made = ctx.repos.settings.get(currentKey, storedLinkSchema);
  if (link?.state === 'used' && link.deviceId !== null && made?.expiresAt === link.expiresAt) {
    await sendHistory(ctx, link.deviceId);
    return;
  }
  const owed = ctx.repos.settings.get(historyOwedKey, historyOwedSchema);
  if (owed === undefined || link === null || link.expiresAt !== owed.expiresAt) return;
  if (link.state === 'approved' && link.deviceId !== null) await sendHistory(ctx, link.deviceId);
  else if (link.state !== 'requested') ctx.repos.settings.delete(historyOwedKey);
}

export interface LinkOptions {
  /** Policy `linkWithoutApproval` negated. */
  readonly approvalRequired: boolean;
  /** Policy `maxDevicesPerPerson`; the relay has its own cap, and it decides. */
  readonly maxDevices: number;
}

export interface CreatedLink {
  readonly code: string;
  readonly expiresAt: number;
  readonly approvalRequired: boolean;
}

/** The PC asking to join, and whether it proved it holds this device's code. */
export interface LinkAsking {
  readonly deviceName: string;
  readonly verified: boolean;
  readonly requestedAt: number;
}

export interface LinkStatus {
  readonly state: LinkStateName;
  readonly expiresAt: number;
  readonly approvalRequired: boolean;
  readonly asking: LinkAsking | null;
  /** The new device's id once it was added. */
  readonly deviceId: number | null;
}

function capMessage(devices: number, max: number): string {
  return `You already have ${devices} devices, the most your practice allows one person (${max}). Remove one first: Settings → Your devices, or \`pmsg client devices --profile <dir> --remove <deviceId>\`.`;
}

function linkError(error: unknown): unknown {
  if (!(error instanceof RelayRequestError)) return toMessengerError(error);
  switch (error.code) {
    case 'device_cap':
      return new MessengerError('conflict', error.message, error.details);
    case 'link_code_expired':
      return new MessengerError('conflict', 'The link code expired: make a new one.');
    case 'link_code_used':
      return new MessengerError('conflict', `The link was already decided: ${error.message}`);
    case 'not_found':
      return new MessengerError('not_found', error.message);
    default:
      return toMessengerError(error);
  }
}

/** Makes a link code for a new PC of this person; a new code replaces this device's earlier one. */
export async function createDeviceLink(
  ctx: CoreContext,
  options: LinkOptions,
): Promise<CreatedLink> {
  const devices = (await listOwnDevices(ctx)).length;
  if (devices >= options.maxDevices) {
    throw new MessengerError('conflict', capMessage(devices, options.maxDevices), {
      maxDevices: options.maxDevices,
      devices,
    });
  }
  const code = newLinkCode();
  let link: LinkView;
  try {
    link = await ctx.http.call('createLink', {
      body: {
        lookup: linkLookup(code).toString('base64'),
        approvalRequired: options.approvalRequired,
      },
    });
  } catch (error) {
    throw linkError(error);
  }
  ctx.repos.settings.set(currentKey, { code, expiresAt: link.expiresAt }, ctx.now());
  ctx.logger.info('device_link_created', { approvalRequired: link.approvalRequired });
  return { code, expiresAt: link.expiresAt, approvalRequired: link.approvalRequired };
}

function toStatus(link: LinkView, code: string | null): LinkStatus {
  const request = link.request;
  return {
    state: link.state,
    expiresAt: link.expiresAt,
    approvalRequired: link.approvalRequired,
    asking:
      request === null
        ? null
        : {
            deviceName: request.deviceName,
            verified:
              code !== null &&
              linkProof(
                code,
                Buffer.from(request.identityKey, 'base64'),
                request.deviceName,
              ).equals(Buffer.from(request.proof, 'base64')),
            requestedAt: request.requestedAt,
          },
    deviceId: link.deviceId,
  };
}

/** This device's current link as the relay has it; null when it never made one. */
export async function deviceLinkStatus(ctx: CoreContext): Promise<LinkStatus | null> {
  let link: LinkView | null;
  try {
    ({ link } = await ctx.http.call('currentLink'));
  } catch (error) {
    throw linkError(error);
  }
  await resumeHistory(ctx, link);
  if (link === null) return null;
  const stored = ctx.repos.settings.get(currentKey, storedLinkSchema);
  // Only the code this device made and still holds can vouch for the PC asking.
  const code = stored !== undefined && stored.expiresAt === link.expiresAt ? stored.code : null;
  return toStatus(link, code);
}

/**
 * Approves or refuses the PC asking to join. A PC that did not prove it holds the code (the relay,
 * or someone who saw only the lookup) is never approved: it is refused, and the person is told.
 */
export async function decideDeviceLink(ctx: CoreContext, approve: boolean): Promise<LinkStatus> {
  let link: LinkView | null;
  try {
    ({ link } = await ctx.http.call('currentLink'));
  } catch (error) {
    throw linkError(error);
  }
  await resumeHistory(ctx, link);
  const stored = ctx.repos.settings.get(currentKey, storedLinkSchema);
  if (link === null || stored === undefined || stored.expiresAt !== link.expiresAt) {
    throw new MessengerError('not_found', 'This PC has no link code waiting: make one first.');
  }
  const status = toStatus(link, stored.code);
  if (status.state === 'expired') {
    throw new MessengerError('conflict', 'The link code expired: make a new one.');
  }
  if (link.request === null || status.asking === null) {
    throw new MessengerError('not_found', 'No PC has entered the link code yet.');
  }
  if (status.state !== 'requested') {
    throw new MessengerError(
      'conflict',
      `The request of ${status.asking.deviceName} was already ${status.state}.`,
    );
  }
  const verified = status.asking.verified;
  if (approve && verified) {
    ctx.repos.settings.set(historyOwedKey, { expiresAt: link.expiresAt }, ctx.now());
  }
  let decided: LinkView;
  try {
    decided = await ctx.http.call('decideLink', {
      body: { identityKey: link.request.identityKey, approve: approve && verified },
    });
  } catch (error) {
    throw linkError(error);
  }
  if (decided.state === 'approved' && decided.deviceId !== null) {
    await sendHistory(ctx, decided.deviceId);
  } else {
    ctx.repos.settings.delete(currentKey);
  }
  ctx.logger.info('device_link_decided', { approved: approve && verified, verified });
  if (approve && !verified) {
    throw new MessengerError(
      'forbidden',
      `"${status.asking.deviceName}" did not prove it has your link code, so it was refused. Make a new code and type it on the new PC yourself.`,
    );
  }
  return toStatus(decided, stored.code);
}
