import { describe, expect, it } from 'vitest';
import { inWindow } from '../../../../main/core/messaging/attachments/transfer-window.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('inWindow', () => {
  it('keeps at most `width` in flight and hands every result over in batches', async () => {
    let inFlight = 0;
    let most = 0;
    const batches: number[][] = [];
    await inWindow(
      Array.from({ length: 11 }, (_, i) => i),
      () => true,
      async (i) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await later((i * 7) % 5);
        inFlight -= 1;
        return i * 10;
      },
      async (batch) => {
        await later(3);
        batches.push(batch.map(([i, r]) => (expect(r).toBe(i * 10), i)));
      },
      3,
    );
    expect(most).toBe(3);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(batches.every((b) => b.length <= 3 || b.length === 0)).toBe(true);
  });

  it('starts nothing after a failure, hands over what succeeded, then throws it', async () => {
    const started: number[] = [];
    const handed: number[] = [];
    await expect(
      inWindow(
        Array.from({ length: 10 }, (_, i) => i),
        () => true,
        async (i) => {
          started.push(i);
          await later(2);
          if (i === 1) throw new Error('refused');
          return i;
        },
        async (batch) => void handed.push(...batch.map(([i]) => i)),
        2,
      ),
    ).rejects.toThrow('refused');
    expect(started.length).toBeLessThan(10);
    expect(handed).toContain(0);
    expect(handed).not.toContain(1);
  });

  it('stops starting work once keepGoing turns false', async () => {
    let done = 0;
    await inWindow(
      Array.from({ length: 10 }, (_, i) => i),
      () => done < 4,
      async () => {
        await later(1);
        done += 1;
      },
      undefined,
      2,
    );
    expect(done).toBeLessThan(6);
  });
});
