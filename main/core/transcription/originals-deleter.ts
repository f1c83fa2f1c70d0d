/**
 * What transcription needs from messaging: delete-for-everyone and the "transcribed" notice, both
 * carried to every participant device as encrypted control messages (content kinds `delete` with
 * reason `transcribed`, and `transcribed`; see messaging/content-codec.ts). Kept as a small
 * interface so transcription does not depend on the messaging pipeline's internals, and tests can
 * see exactly what was asked of it.
 */
export interface TranscribedNotice {
  readonly messageIds: readonly string[];
  /**
   * The transcriber's account id: stored in messages.transcribed_by on every device, where the
   * directory turns it into a name and role, and where it tells the transcriber's own device that
   * it is the one to announce a scheduled deletion.
   */
  readonly transcribedBy: string;
  readonly transcribedAt: number;
  /** When every device deletes the originals; absent when they are deleted at once. */
  readonly deleteAt?: number;
}

export interface OriginalsDeleter {
  /**
   * Deletes the messages here and on every participant's devices. Resolves once the deletion is
   * committed locally and queued for the others (the outbox delivers it when they are reachable).
   */
  deleteForEveryone(
    conversationId: string,
    messageIds: readonly string[],
    reason: 'transcribed',
  ): Promise<void>;
  /** Tells the other participants these messages were transcribed, by whom, and when they go. */
  sendTranscribedNotice(conversationId: string, notice: TranscribedNotice): Promise<void>;
}
