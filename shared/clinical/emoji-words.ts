/**
 * Emoji as words in brackets ("👍" -> "[thumbs up]") for text that goes into a patient record.
 * The clinical systems' fonts may not show emoji, and an emoji that prints as a box or "?" changes
 * what the advice says ("is fine 👍" is agreement; "is fine ?" is doubt). Everything else in the
 * text is kept as written: accented letters, typographic quotes, £, µ, ° are all real Unicode.
 *
 * A whole emoji sequence is replaced at once (a skin tone, a variation selector, a ZWJ sequence
 * such as 👩‍⚕️, a flag, a keycap), so nothing is half replaced. Symbols that default to text
 * presentation and are written without the emoji selector (©, ™, ↔, ✔, ⚠) are ordinary
 * characters in any font and stay as they are.
 */

const names: Readonly<Record<string, string>> = {
  '👍': 'thumbs up',
  '👎': 'thumbs down',
  '👌': 'OK hand',
  '🙏': 'folded hands',
  '👋': 'waving hand',
  '👏': 'clapping hands',
  '🤞': 'crossed fingers',
  '💪': 'flexed biceps',
  '👀': 'eyes',
  '🙂': 'slightly smiling face',
  '😀': 'grinning face',
  '😃': 'grinning face with big eyes',
  '😄': 'grinning face with smiling eyes',
  '😁': 'beaming face',
  '😊': 'smiling face',
  '☺': 'smiling face',
  '😉': 'winking face',
  '😅': 'grinning face with sweat',
  '😂': 'face with tears of joy',
  '🙁': 'frowning face',
  '☹': 'frowning face',
  '😞': 'disappointed face',
  '😢': 'crying face',
  '😬': 'grimacing face',
  '🙄': 'face with rolling eyes',
  '🤔': 'thinking face',
  '😷': 'face with medical mask',
  '🤒': 'face with thermometer',
  '🤢': 'nauseated face',
  '🤮': 'face vomiting',
  '✅': 'check mark',
  '✔': 'check mark',
  '☑': 'check box with check',
  '❌': 'cross mark',
  '✖': 'multiply',
  '❗': 'exclamation mark',
  '‼': 'double exclamation mark',
  '❓': 'question mark',
  '⚠': 'warning',
  '🚨': 'alarm light',
  '🆘': 'SOS',
  '❤': 'red heart',
  '⭐': 'star',
  '🎉': 'party popper',
  '🔥': 'fire',
  '💊': 'pill',
  '💉': 'syringe',
  '🩺': 'stethoscope',
  '🩹': 'adhesive bandage',
  '🌡': 'thermometer',
  '🏥': 'hospital',
  '🚑': 'ambulance',
  '📞': 'telephone receiver',
  '☎': 'telephone',
  '📱': 'mobile phone',
  '📅': 'calendar',
  '📆': 'calendar',
  '⏰': 'alarm clock',
  '🕐': 'one o’clock',
  '📝': 'memo',
  '📧': 'email',
  '🍼': 'baby bottle',
  '🧑‍⚕': 'health worker',
  '👨‍⚕': 'man health worker',
  '👩‍⚕': 'woman health worker',
};

/** Said for a pictograph the table does not name: still clearly "there was an emoji here". */
export const unnamedEmoji = '[emoji]';

const modifiers = '(?:\\uFE0F|\\uFE0E|\\p{Emoji_Modifier})*';
const pictographSequence = `\\p{Extended_Pictographic}${modifiers}(?:\\u200D\\p{Extended_Pictographic}${modifiers})*[\\u{E0020}-\\u{E007F}]*`;
const emojiPattern = new RegExp(
  `\\p{Regional_Indicator}{2}|[#*0-9]\\uFE0F?\\u20E3|${pictographSequence}|\\p{Emoji_Modifier}`,
  'gu',
);
const selectorsAndTones = /\uFE0F|\uFE0E|\p{Emoji_Modifier}|[\u{E0020}-\u{E007F}]/gu;

function isEmojiPresentation(sequence: string): boolean {
  const first = sequence.codePointAt(0) ?? 0;
  return (
    /\uFE0F|\u200D|\p{Emoji_Modifier}|[\u{E0020}-\u{E007F}]/u.test(sequence) ||
    /^\p{Emoji_Presentation}/u.test(sequence) ||
    // Reserved pictograph code points above U+1F000 are emoji yet to be named, never text.
    first >= 0x1f000
  );
}

function describe(sequence: string): string {
  if (/^\p{Regional_Indicator}{2}$|[\u{E0020}-\u{E007F}]/u.test(sequence)) return '[flag]';
  const keycap = /^([#*0-9])\uFE0F?\u20E3$/u.exec(sequence);
  if (keycap) return `[keycap ${keycap[1]}]`;
  // A skin tone alone is a colour swatch; with its emoji, the tone adds nothing clinical.
  const bare = sequence.replace(selectorsAndTones, '');
  if (bare === '') return '';
  // A ZWJ sequence is named as a whole or not at all: naming its first part would change it.
  const named = names[bare];
  return named === undefined ? unnamedEmoji : `[${named}]`;
}

/** `text` with every emoji (sequence) as its name in brackets; nothing else changes. */
export function emojiAsWords(text: string): string {
  return text.replace(emojiPattern, (sequence) => {
    if (!isEmojiPresentation(sequence)) return sequence;
    return describe(sequence);
  });
}
