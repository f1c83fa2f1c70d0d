/**
 * The messages chosen for transcription, as the panel asks the core for them: in conversation
 * order (also the order of the record entry's source), and never a notice this device wrote,
 * which nobody said and so is not advice (the core refuses one as well).
 */
import type { MessageView } from '../../../shared/ipc/view-schemas.js';

export function transcribableIds(
  messages: readonly MessageView[],
  selection: ReadonlySet<string>,
): string[] {
  return messages.filter((m) => selection.has(m.id) && !m.notice).map((m) => m.id);
}
