// Choosing messages to transcribe, moved out of ConversationView: starting and stopping, ticking,
// and messages deleted meanwhile leaving the selection.
import { describe, expect, it } from 'vitest';
import {
  selectMessage,
  toggleSelecting,
  withoutDeleted,
} from '../../renderer/src/logic/message-selection.js';

const sorted = (set: ReadonlySet<string> | null) => (set === null ? null : [...set].sort());

describe('message selection', () => {
  it('the header button starts choosing with nothing chosen, and stops choosing', () => {
    expect(sorted(toggleSelecting(null))).toEqual([]);
    expect(toggleSelecting(new Set(['m1']))).toBeNull();
  });

  it('ticks and unticks without changing the set it was given', () => {
    const start = new Set(['m1']);
    const ticked = selectMessage(start, 'm2', true);
    expect(sorted(ticked)).toEqual(['m1', 'm2']);
    expect(sorted(selectMessage(ticked, 'm1', false))).toEqual(['m2']);
    expect(sorted(start)).toEqual(['m1']);
    // Ticking with no selection (a row's "Transcribe…") starts one.
    expect(sorted(selectMessage(null, 'm3', true))).toEqual(['m3']);
  });

  it('drops deleted messages and leaves "not choosing" alone', () => {
    expect(sorted(withoutDeleted(new Set(['m1', 'm2', 'm3']), ['m2', 'm9']))).toEqual(['m1', 'm3']);
    expect(withoutDeleted(null, ['m1'])).toBeNull();
    // Every chosen message gone: still choosing, with none chosen.
    expect(sorted(withoutDeleted(new Set(['m1']), ['m1']))).toEqual([]);
  });
});
