/**
 * Choosing messages to transcribe. The selection is null unless the user is choosing, and an
 * empty set while they have chosen none yet; messages deleted meanwhile (another device
 * transcribed them, retention, their sender) leave the selection.
 */

export type MessageSelection = ReadonlySet<string> | null;

/** The header's "Select messages to transcribe" button: starts choosing, or stops. */
export function toggleSelecting(current: MessageSelection): MessageSelection {
  return current === null ? new Set() : null;
}

/** Ticks or unticks one message; ticking while not choosing starts choosing. */
export function selectMessage(
  current: MessageSelection,
  messageId: string,
  selected: boolean,
): ReadonlySet<string> {
  const next = new Set(current ?? []);
  if (selected) next.add(messageId);
  else next.delete(messageId);
  return next;
}

/** Drops deleted messages; not choosing stays not choosing. */
export function withoutDeleted(
  current: MessageSelection,
  deletedIds: readonly string[],
): MessageSelection {
  if (current === null) return current;
  const next = new Set(current);
  for (const id of deletedIds) next.delete(id);
  return next;
}
