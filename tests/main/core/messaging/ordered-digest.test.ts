import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OrderedDigest } from '../../../../main/core/messaging/attachments/attachment-crypto.js';

const parts = Array.from({ length: 6 }, (_, i) => randomBytes(1000 + i));
const whole = Buffer.concat(parts);
const sha256 = createHash('sha256').update(whole).digest('hex');

describe('OrderedDigest', () => {
  it('hashes chunks arriving out of order, and ones kept earlier, in file order', () => {
    const asked: number[] = [];
    // Chunks 1 and 4 were kept by an earlier pass: read back only when their turn comes.
    const digest = new OrderedDigest(parts.length, (index) => {
      if (index !== 1 && index !== 4) return null;
      asked.push(index);
      return parts[index] as Buffer;
    });
    for (const index of [3, 0, 5, 2]) digest.add(index, parts[index] as Buffer);
    expect(asked).toEqual([1, 4]);
    expect(() => digest.check(sha256, whole.length)).not.toThrow();
  });

  it('refuses a file with a chunk missing, swapped or of the wrong size', () => {
    const missing = new OrderedDigest(parts.length, () => null);
    parts.slice(0, -1).forEach((part, index) => missing.add(index, part));
    expect(() => missing.check(sha256, whole.length)).toThrow(/does not match/);

    const swapped = new OrderedDigest(parts.length, () => null);
    parts.forEach((part, index) => swapped.add(index, parts[index ^ 1] ?? part));
    expect(() => swapped.check(sha256, whole.length)).toThrow(/does not match/);

    const sized = new OrderedDigest(parts.length, () => null);
    parts.forEach((part, index) => sized.add(index, part));
    expect(() => sized.check(sha256, whole.length + 1)).toThrow(/does not match/);
  });
});
