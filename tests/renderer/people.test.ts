// Avatars and previews: initials skip titles, roles get their own colour, and previews end on a
// word boundary with an ellipsis (the core's fixed-length excerpts are re-cut).
import { describe, expect, it } from 'vitest';
import { initials, roleTone, wordExcerpt } from '../../renderer/src/logic/people.js';

describe('initials', () => {
  it('uses the first and last names, skipping a title', () => {
    expect(initials('Dr Priya Patel')).toBe('PP');
    expect(initials('Sam Jones')).toBe('SJ');
    expect(initials('Karen Anne Hughes')).toBe('KH');
    expect(initials('cher')).toBe('C');
    expect(initials('Dr')).toBe('D');
    expect(initials('  ')).toBe('?');
  });
});

describe('roleTone', () => {
  it('tells reception, clinicians, care and office apart', () => {
    const tones = new Set(['reception', 'clinician', 'nurse', 'manager'].map(roleTone));
    expect(tones.size).toBe(4);
    expect(roleTone('pharmacist')).toBe(roleTone('nurse'));
    expect(roleTone('unknown')).toBe('tone-unknown');
  });
});

describe('wordExcerpt', () => {
  it('leaves short text whole', () => {
    expect(wordExcerpt('Call her back after 2pm', 100)).toBe('Call her back after 2pm');
  });
  it('cuts long text at a word boundary with an ellipsis', () => {
    const text = 'Morning! Mrs A rang about her blood results, could you call her back after 2pm?';
    const cut = wordExcerpt(text, 40);
    expect(cut).toBe('Morning! Mrs A rang about her blood…');
    expect(cut.length).toBeLessThanOrEqual(41);
  });
  it('re-cuts an excerpt the core ended mid-word', () => {
    expect(wordExcerpt('Her results are norm…', 100)).toBe('Her results are…');
  });
  it('keeps a single long word rather than returning only an ellipsis', () => {
    expect(wordExcerpt('Supercalifragilistic', 5)).toBe('Super…');
  });
});
