import { createHash } from 'node:crypto';

/**
 * The namespace of Practice Messenger record entries (a random UUID fixed once, never to change:
 * changing it would give every past selection a new id).
 */
const communicationNamespace = '5b0f7c1e-3d2a-4f6b-9c8e-1a7d4e2b6f30';

/**
 * The FHIR Communication id of a record entry: a name-based UUID (RFC 9562 version 5) of the
 * conversation and the selected message ids, order and duplicates aside. So rendering, saving
 * and confirming the same selection give the same id, which the audit event records, and a
 * resource saved twice is recognisably the same resource. Ids only: no content, no patient.
 */
export function communicationIdFor(conversationId: string, messageIds: readonly string[]): string {
  const name = [conversationId, ...[...new Set(messageIds)].sort()].join('\n');
  const namespace = Buffer.from(communicationNamespace.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
