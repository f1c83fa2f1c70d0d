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
    expect(emptyConversationText(undefined, undefined)).toBe('No messages yet. Say hello below.');
    expect(emptyConversationText(undefined, new Set())).toBe('No messages yet. Say hello below.');
  });

  it('says why the messages went, per conversation', () => {
    let seen: DeletionsSeen = new Map();
    seen = noteDeletion(seen, deleted('c1', 'transcribed'));
    seen = noteDeletion(seen, deleted('c2', 'sender'));
    expect(emptyConversationText(undefined, seen.get('c1'))).toBe(
      'Messages here were transcribed into the patient record and then deleted.',
    );
    expect(emptyConversationText(undefined, seen.get('c2'))).toBe(
      'Messages here were removed by their sender.',
    );
    seen = noteDeletion(seen, deleted('c1', 'expired'));
    seen = noteDeletion(seen, deleted('c1', 'sender'));
    expect(emptyConversationText(undefined, seen.get('c1'))).toMatch(
      /^Messages here were transcribed.+ removed by their sender\. .+retention period\.$/,
    );
  });

  it("says why from the core's count, which outlives a lock, with what was seen since", () => {
    expect(emptyConversationText({ count: 2, reasons: ['transcribed'] }, undefined)).toBe(
      'Messages here were transcribed into the patient record and then deleted.',
    );
    expect(emptyConversationText({ count: 3, reasons: ['transcribed'] }, new Set(['sender']))).toBe(
      'Messages here were transcribed into the patient record and then deleted. ' +
        'Messages here were removed by their sender.',
    );
    // A count without a reason still says the conversation was not always empty.
    expect(emptyConversationText({ count: 1, reasons: [] }, undefined)).toBe(
      'Messages in this conversation were deleted.',
    );
  });

  it('ignores an empty deletion and one it has already noted', () => {
    const seen: DeletionsSeen = new Map();
    expect(noteDeletion(seen, deleted('c1', 'sender', 0))).toBe(seen);
    const once = noteDeletion(seen, deleted('c1', 'sender'));
    expect(noteDeletion(once, deleted('c1', 'sender', 3))).toBe(once);
  });
});
