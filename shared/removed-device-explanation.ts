/**
 * What a wiped PC says when its own person removed it from another of their PCs (docs/protocol.md
 * §2a), rather than IT or an administrator: the app's wipe screen and the CLI use the same words,
 * so the person recognises what they did and nobody goes looking for a practice decision.
 */
export interface OwnDeviceRemoval {
  /** The person, as the relay's directory names them (the profile's label may differ). */
  readonly displayName: string;
  readonly deviceId: number;
  readonly deviceName: string | null;
}

export function removedByOwnDeviceExplanation(removedBy: OwnDeviceRemoval): string {
  const from = removedBy.deviceName ?? `device ${removedBy.deviceId}`;
  return `This PC was removed by ${removedBy.displayName} from another of their PCs (${from}). Its messages have been erased from this PC.`;
}
