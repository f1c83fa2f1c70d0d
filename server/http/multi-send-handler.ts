import type { Handler } from './handlers.js';
import { RelayError } from '../relay-error.js';
import { orgQuotaRefusal } from './org-quota-refusal.js';

/**
 * PUT /v1/messages/multi-recipient (docs/protocol.md §5b): one sender-key ciphertext queued for every named
 * device of every named account, all or nothing, with the checks of the 1:1 send per account.
 */
export const sendMulti: Handler<'sendMulti'> = async (services, { device, body }) => {
  const result = await services.storage.enqueueMulti({
    senderDevicePk: device.devicePk,
    senderAccountId: device.accountId,
    senderDeviceId: device.deviceId,
    senderOrg: device.account.org,
    clientMessageId: body.clientMessageId,
    clientTimestamp: body.clientTimestamp ?? null,
    type: body.type,
    content: Buffer.from(body.content, 'base64'),
    recipients: body.recipients.map((r) => ({
      accountId: r.accountId.toLowerCase(),
      devices: r.devices,
    })),
    maxQueuedPerDevice: services.limits.maxQueuedPerDevice,
    maxQueuedPerSender: services.limits.maxQueuedPerSender,
    queueReservedPerSender: services.limits.queueReservedPerSender,
    now: Date.now(),
  });
  if (!result.ok) {
    switch (result.reason) {
      case 'not_found':
        throw new RelayError(
          'not_found',
          'Some recipients are not active accounts of your organisation: drop accountIds and resend.',
          { accountIds: result.accountIds },
        );
      case 'mismatched':
        throw new RelayError(
          'mismatched_devices',
          'Device lists are stale: per account, add missingDevices, drop extraDevices, and resend.',
          { accounts: result.accounts },
        );
      case 'stale':
        throw new RelayError(
          'stale_devices',
          'Some devices were re-registered: fetch new prekey bundles for them and resend.',
          { accounts: result.accounts },
        );
      case 'queue_full':
        services.logger.warn('queue_full', {
          accountId: device.accountId,
          deviceId: device.deviceId,
          recipients: result.accounts.length,
        });
        throw new RelayError(
          'queue_full',
          'You have too many undelivered envelopes waiting for some recipients; retry later.',
          { accounts: result.accounts },
          { 'retry-after': '60' },
        );
      case 'org_quota':
        services.logger.warn('org_quota_exceeded', {
          org: device.account.org,
          quota: result.quota,
        });
        throw orgQuotaRefusal(result);
    }
  }
  for (const account of result.accounts) {
    for (const queued of account.queued) services.delivery.notify(queued.devicePk);
  }
  return {
    status: 200,
    body: {
      queued: result.accounts
        .filter((a) => a.queued.length > 0)
        .map((a) => ({ accountId: a.accountId, deviceIds: a.queued.map((q) => q.deviceId) })),
      duplicates: result.accounts
        .filter((a) => a.duplicates.length > 0)
        .map((a) => ({ accountId: a.accountId, deviceIds: a.duplicates })),
    },
  };
};
