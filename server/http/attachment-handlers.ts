import {
  attachmentLimits,
  chunkBytesType,
  type AttachmentStatus,
} from '../../shared/protocol/index.js';
import type { BlobMeta } from '../blobs/blob-store.js';
import type { DeviceRecord } from '../storage/relay-storage.js';
import type { RelayServices } from '../relay-services.js';
import { RelayError } from '../relay-error.js';
import { orgQuotaRefusal } from './org-quota-refusal.js';
import type { Handler } from './handlers.js';

const statusOf = (meta: BlobMeta): AttachmentStatus => ({
  attachmentId: meta.id,
  size: meta.size,
  chunkCount: meta.chunkCount,
  received: meta.received,
  complete: meta.complete,
  expiresAt: meta.expiresAt,
});

/** A blob exists for a device only when its account is the uploader or a named reader. */
async function findBlob(services: RelayServices, device: DeviceRecord, id: string) {
  const meta = await services.blobs.get(id, Date.now());
  if (!meta || meta.org !== device.account.org || !meta.readers.includes(device.accountId)) {
    throw new RelayError('not_found', `No attachment ${id}; it may have expired.`);
  }
  return meta;
}

function chunkIndex(meta: BlobMeta, value: string): number {
  const index = Number(value);
  if (!(index >= 0 && index < meta.chunkCount)) {
    throw new RelayError('invalid_input', `chunkIndex must be 0..${meta.chunkCount - 1}.`);
  }
  return index;
}

export const createAttachment: Handler<'createAttachment'> = async (services, { device, body }) => {
  const recipients = [...new Set(body.recipients)];
  const directory = await services.storage.listDirectory(device.account.org);
  const pending: string[] = [];
  for (const accountId of recipients) {
    const entry = directory.find((a) => a.accountId === accountId);
    if (!entry) throw new RelayError('not_found', `No account ${accountId} in your organisation.`);
    for (const d of entry.devices) {
      if (accountId !== device.accountId || d.deviceId !== device.deviceId) {
        pending.push(`${accountId}:${d.deviceId}`);
      }
    }
  }
  const now = Date.now();
  const retentionMs = Math.min(
    services.limits.attachmentRetentionMs,
    (body.retentionSeconds ?? attachmentLimits.maxRetentionSeconds) * 1000,
  );
  const meta = await services.blobs.create({
    ownerAccountId: device.accountId,
    org: device.account.org,
    size: body.size,
    chunkCount: body.chunkCount,
    readers: [...new Set([device.accountId, ...recipients])],
    createdAt: now,
    expiresAt: now + retentionMs,
  });
  // Counted against the organisation's blob quota in the database, so it holds across nodes.
  const reserved = await services.storage.reserveBlob({
    blobId: meta.id,
    org: meta.org,
    size: meta.size,
    expiresAt: meta.expiresAt,
    now,
  });
  if (!reserved.ok) {
    await services.blobs.remove(meta.id);
    services.logger.warn('org_quota_exceeded', { org: meta.org, quota: reserved.quota });
    throw orgQuotaRefusal(reserved);
  }
  meta.pending = pending;
  await services.blobs.update(meta);
  return { status: 201, body: statusOf(meta) };
};

export const attachmentStatus: Handler<'attachmentStatus'> = async (services, i) => ({
  status: 200,
  body: statusOf(await findBlob(services, i.device, i.params.attachmentId)),
});

function assertOwner(meta: BlobMeta, device: DeviceRecord): void {
  if (meta.ownerAccountId !== device.accountId) {
    throw new RelayError('forbidden', 'Only the uploader may write to this attachment.');
  }
}

export const putAttachmentChunk: Handler<'putAttachmentChunk'> = async (services, i) => {
  const id = i.params.attachmentId;
  // Raw bytes (application/octet-stream) or, from an older client, base64 in JSON.
  const data = i.bytes ?? Buffer.from(i.body.data, 'base64');
  if (data.length === 0 || data.length > attachmentLimits.maxChunkCiphertextBytes) {
    throw new RelayError(
      'payload_too_large',
      `A chunk must be 1..${attachmentLimits.maxChunkCiphertextBytes} bytes.`,
    );
  }
  const before = await findBlob(services, i.device, id);
  assertOwner(before, i.device);
  const index = chunkIndex(before, i.params.chunkIndex);
  if (before.complete) return { status: 200, body: { received: before.received.length } };
  // The chunk is written before the lock, so several chunks of one upload land side by side;
  // it counts only once recorded under the lock (a blob removed meanwhile answers not_found).
  await services.blobs.writeChunk(id, index, data);
  return services.blobs.exclusive(id, async () => {
    const meta = await findBlob(services, i.device, id);
    if (!meta.complete) await services.blobs.markReceived(meta, index);
    return { status: 200, body: { received: meta.received.length } };
  });
};

export const finishAttachment: Handler<'finishAttachment'> = async (services, i) => {
  const id = i.params.attachmentId;
  return services.blobs.exclusive(id, async () => {
    const meta = await findBlob(services, i.device, id);
    assertOwner(meta, i.device);
    if (meta.received.length !== meta.chunkCount) {
      throw new RelayError(
        'attachment_incomplete',
        `The relay holds ${meta.received.length} of ${meta.chunkCount} chunks; upload the rest first.`,
        { received: meta.received },
      );
    }
    if (!meta.complete) {
      meta.complete = true;
      await services.blobs.update(meta);
    }
    return { status: 200, body: statusOf(meta) };
  });
};

export const getAttachmentChunk: Handler<'getAttachmentChunk'> = async (services, i) => {
  const meta = await findBlob(services, i.device, i.params.attachmentId);
  const index = chunkIndex(meta, i.params.chunkIndex);
  if (!meta.complete) {
    throw new RelayError('attachment_incomplete', 'The attachment is still being uploaded.');
  }
  const data = await services.blobs.readChunk(meta, index);
  // A client that asks for raw bytes gets them; an older one gets base64 in JSON.
  if (acceptsBytes(i.req.headers.accept)) return { status: 200, bytes: data };
  return { status: 200, body: { data: data.toString('base64') } };
};

function acceptsBytes(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .some((part) => part.split(';')[0]?.trim().toLowerCase() === chunkBytesType);
}

/**
 * This device is done with the blob: it has every chunk (`fetched`) or will not fetch it
 * (`declined`: its message was deleted first). Once no recipient device is waiting, the blob is
 * deleted rather than kept until its expiry.
 */
function doneWith(
  reason: 'fetched' | 'declined',
): Handler<'attachmentFetched'> & Handler<'attachmentDeclined'> {
  return async (services, i) => {
    const id = i.params.attachmentId;
    const me = `${i.device.accountId}:${i.device.deviceId}`;
    return services.blobs.exclusive(id, async () => {
      const meta = await findBlob(services, i.device, id);
      if (reason === 'declined' && !meta.pending.includes(me)) {
        // Only a device the blob waits for may give it up: not the uploader, not one added later.
        throw new RelayError('forbidden', 'This device is not waiting for that attachment.');
      }
      meta.pending = meta.pending.filter((d) => d !== me);
      if (meta.complete && meta.pending.length === 0) {
        await services.blobs.remove(id);
        await services.storage.releaseBlob(id);
        services.logger.info('attachment_deleted', { reason });
        return { status: 200, body: { deleted: true } };
      }
      await services.blobs.update(meta);
      return { status: 200, body: { deleted: false } };
    });
  };
}

/** A recipient device has every chunk: once all have, the blob is deleted. */
export const attachmentFetched: Handler<'attachmentFetched'> = doneWith('fetched');

/** A recipient device deleted the message before fetching its file: it will not fetch it. */
export const attachmentDeclined: Handler<'attachmentDeclined'> = doneWith('declined');
