/**
 * Why messages were deleted, per conversation, while the profile has been unlocked, so an
 * emptied conversation can say where its messages went (transcribed, expired, deleted by the
 * sender). Kept above the open conversation: switching away and back must not forget it.
 */
import { useState } from 'react';
import { useMessengerEvent } from '../../api.js';
import { noteDeletion, type DeletionsSeen } from '../../logic/deletion-note.js';

export function useDeletionsSeen(): DeletionsSeen {
  const [deletions, setDeletions] = useState<DeletionsSeen>(() => new Map());
  useMessengerEvent('messages.deleted', (event) =>
    setDeletions((seen) => noteDeletion(seen, event)),
  );
  return deletions;
}
