// The unread divider sits before the earliest unread incoming message (own messages and notices
// are skipped), and the jump button says how many arrived below the visible area.
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../shared/ipc/view-schemas.js';
import { firstUnreadId, jumpLabel } from '../../renderer/src/logic/unread.js';

const message = (id: string, direction: 'incoming' | 'outgoing', notice = false) =>
  ({ id, direction, notice }) as unknown as MessageView;

describe('firstUnreadId', () => {
  const list = [
    message('a', 'incoming'),
    message('b', 'incoming'),
    message('c', 'outgoing'),
    message('d', 'incoming', true),
    message('e', 'incoming'),
  ];
  it('is null when nothing is unread', () => {
    expect(firstUnreadId(list, 0)).toBeNull();
  });
  it('counts back over incoming messages only', () => {
    expect(firstUnreadId(list, 1)).toBe('e');
    expect(firstUnreadId(list, 2)).toBe('b');
  });
  it('leads the loaded messages when more are unread than loaded', () => {
    expect(firstUnreadId(list, 9)).toBe('a');
  });
});

describe('jumpLabel', () => {
  it('says how many are new', () => {
    expect(jumpLabel(0)).toBe('Jump to latest');
    expect(jumpLabel(3)).toBe('Jump to latest (3 new)');
  });
});
