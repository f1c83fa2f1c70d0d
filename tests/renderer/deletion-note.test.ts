import { describe, expect, it } from 'vitest';
import {
  emptyConversationText,
  noteDeletion,
  type DeletionsSeen,
} from '../../renderer/src/logic/deletion-note.js';

const deleted = (conversationId: string, reason: 'transcribed' | 'expired' | 'sender', n = 1) => ({
  conversationId,
  messageIds: Array.from({ length: n }, (_, i) => `message-${i}-0000`),
  reason,
});

describe('deletion note', () => {
  it('invites a first message where nothing was deleted', () => {
    expect(emptyConversationText(undefined)).toBe('No messages yet. Say hello below.');
    expect(emptyConversationText(new Set())).toBe('No messages yet. Say hello below.');
  });

  it('says why the messages went, per conversation', () => {
    let seen: DeletionsSeen = new Map();
    seen = noteDeletion(seen, deleted('c1', 'transcribed'));
    seen = noteDeletion(seen, deleted('c2', 'sender'));
    expect(emptyConversationText(seen.get('c1'))).toBe(
      'Messages here were transcribed into the patient record and then deleted.',
    );
    expect(emptyConversationText(seen.get('c2'))).toBe(
      'Messages here were removed by their sender.',
    );
    seen = noteDeletion(seen, deleted('c1', 'expired'));
    seen = noteDeletion(seen, deleted('c1', 'sender'));
    expect(emptyConversationText(seen.get('c1'))).toMatch(
      /^Messages here were transcribed.+ removed by their sender\. .+retention period\.$/,
    );
  });

  it('ignores an empty deletion and one it has already noted', () => {
    const seen: DeletionsSeen = new Map();
    expect(noteDeletion(seen, deleted('c1', 'sender', 0))).toBe(seen);
    const once = noteDeletion(seen, deleted('c1', 'sender'));
    expect(noteDeletion(once, deleted('c1', 'sender', 3))).toBe(once);
  });
});
