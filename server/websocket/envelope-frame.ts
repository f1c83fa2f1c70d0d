/** An envelope as a device is sent it: the queue row, with the ciphertext already in base64. */
export interface OutgoingEnvelope {
  id: number;
  senderAccountId: string;
  senderDeviceId: number;
  clientMessageId: string;
  type: number;
  /** Base64 of the ciphertext bytes. */
  content: string;
  clientTimestamp: number | null;
  serverTimestamp: number;
}

/**
 * The `envelope` server frame as JSON text, serialised once per push (docs/protocol.md §6). The
 * live push reuses the sender's base64 as it came (validated by the request schema) instead of
 * decoding and re-encoding the bytes.
 */
export function envelopeFrame(envelope: OutgoingEnvelope): string {
  return JSON.stringify({
    type: 'envelope',
    envelope: {
      id: String(envelope.id),
      senderAccountId: envelope.senderAccountId,
      senderDeviceId: envelope.senderDeviceId,
      clientMessageId: envelope.clientMessageId,
      type: envelope.type,
      content: envelope.content,
      clientTimestamp: envelope.clientTimestamp,
      serverTimestamp: envelope.serverTimestamp,
    },
  });
}
