import { describe, expect, it } from 'vitest';
import { SensitiveClipboard } from '../../../../main/core/clipboard/sensitive-clipboard.js';
import { FakeClock } from '../helpers/fake-clock.js';

describe('SensitiveClipboard', () => {
  it('clears after the time it is given, only if the clipboard still holds the entry', () => {
    const clock = new FakeClock(1_000);
    let text = '';
    const board = new SensitiveClipboard(
      { writeText: (t) => void (text = t), readText: () => text },
      clock,
      45_000,
    );
    expect(board.copy('entry')).toEqual({ clearsAt: 46_000 });
    clock.advance(44_999);
    expect(text).toBe('entry');
    clock.advance(1);
    expect(text).toBe('');

    board.copy('entry');
    text = 'mine';
    clock.advance(45_000);
    expect(text).toBe('mine');
  });

  it('writes through writeSensitiveText where the OS has one, and clears with writeText', () => {
    const clock = new FakeClock(0);
    const writes: string[] = [];
    let text = '';
    const board = new SensitiveClipboard(
      {
        writeText: (t) => void (text = t),
        readText: () => text,
        writeSensitiveText: (t) => {
          writes.push(t);
          text = t;
        },
      },
      clock,
      10_000,
    );
    board.copy('entry');
    expect(writes).toEqual(['entry']);
    board.clearIfStillOurs();
    expect(text).toBe('');
    expect(writes).toEqual(['entry']);
  });
});
