/**
 * How a person is drawn in lists and timelines: initials for the avatar (titles such as "Dr"
 * skipped, so Dr Priya Patel is PP) and a colour class by role, so reception, clinicians and the
 * office can be told apart at a glance without reading.
 */
const titles = new Set(['dr', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'sr', 'nurse']);

export function initials(name: string): string {
  const words = name
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter(Boolean);
  const named = words.filter((w) => !titles.has(w.toLowerCase()));
  const use = named.length > 0 ? named : words;
  const first = use[0]?.[0] ?? '?';
  const last = use.length > 1 ? (use[use.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** The avatar colour class of a role (every one of them white text at 4.5:1 or more). */
export function roleTone(role: string | null | undefined): string {
  switch (role) {
    case 'clinician':
      return 'tone-clinician';
    case 'nurse':
    case 'pharmacist':
      return 'tone-care';
    case 'reception':
      return 'tone-reception';
    case 'manager':
    case 'admin':
      return 'tone-office';
    default:
      return 'tone-unknown';
  }
}

/**
 * A short preview of a message that ends on a word boundary with an ellipsis when cut. The core's
 * excerpts are cut at a fixed length and may end mid-word with "…"; those are re-cut here too.
 */
export function wordExcerpt(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const alreadyCut = flat.endsWith('…');
  const body = alreadyCut ? flat.slice(0, -1) : flat;
  if (!alreadyCut && body.length <= max) return body;
  let cut = body.slice(0, max);
  // The word at the cut may be partial: drop it whole, unless it is all there is.
  const partial = alreadyCut || (body[cut.length] !== undefined && body[cut.length] !== ' ');
  if (partial) {
    const space = cut.lastIndexOf(' ');
    if (space > 0) cut = cut.slice(0, space);
  }
  return `${cut.replace(/[\s,;:.-]+$/, '')}…`;
}
