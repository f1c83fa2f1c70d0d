/**
 * When each transcription was opened (its draft made), by FHIR Communication id. The entry is
 * dated from that moment, so the preview, the copied text and the saved FHIR file agree even
 * when a minute turns between them. In memory only, a bounded number of recent selections.
 */
export class OpenedTranscriptions {
  private readonly openedAt = new Map<string, number>();

  constructor(private readonly limit = 64) {}

  pin(communicationId: string, at: number): void {
    this.openedAt.delete(communicationId);
    this.openedAt.set(communicationId, at);
    if (this.openedAt.size > this.limit) {
      const oldest = this.openedAt.keys().next().value as string;
      this.openedAt.delete(oldest);
    }
  }

  get(communicationId: string): number | undefined {
    return this.openedAt.get(communicationId);
  }
}
