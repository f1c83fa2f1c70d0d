import { describe, expect, it } from 'vitest';
import { emojiAsWords } from '../../../shared/clinical/emoji-words.js';

describe('emojiAsWords', () => {
  it('names common emoji in brackets', () => {
    expect(emojiAsWords('Paracetamol 1 g qds is fine 👍')).toBe(
      'Paracetamol 1 g qds is fine [thumbs up]',
    );
    expect(emojiAsWords('✅ done, 🚑 called')).toBe('[check mark] done, [ambulance] called');
  });

  it('replaces a whole sequence at once: skin tone, selector, ZWJ, flag, keycap', () => {
    expect(emojiAsWords('ok 👍🏽.')).toBe('ok [thumbs up].');
    expect(emojiAsWords('⚠️ allergy')).toBe('[warning] allergy');
    expect(emojiAsWords('👩🏽‍⚕️ said so')).toBe('[woman health worker] said so');
    expect(emojiAsWords('❤️‍🔥')).toBe('[emoji]');
    expect(emojiAsWords('🇬🇧 🏴󠁧󠁢󠁥󠁮󠁧󠁿')).toBe('[flag] [flag]');
    expect(emojiAsWords('press 1️⃣')).toBe('press [keycap 1]');
    // No selector, tone or joiner is left behind to print as a box.
    const leftovers = /\uFE0F|\u200D|\p{Emoji_Modifier}/u;
    expect(emojiAsWords('👍🏽👩‍⚕️⚠️')).not.toMatch(leftovers);
  });

  it('says "[emoji]" for a pictograph it has no name for', () => {
    expect(emojiAsWords('🦩')).toBe('[emoji]');
  });

  it('leaves text symbols and every other script alone', () => {
    const text = 'José © ™ ↔ ✔ ⚠ 37.5 °C £5 µg “quoted” नमस्ते क्‍ष 中文';
    expect(emojiAsWords(text)).toBe(text);
  });
});
