import { describe, expect, it } from 'vitest';
import { isValidNhsDigits } from '../../../shared/clinical/nhs-number.js';
import { createPidDetector } from '../../../shared/clinical/pid-detector.js';
import { clinicalTexts, identifierCases } from './pid-corpus.js';

// The year the corpus was written in: its appointment dates are recent or in the future.
const detect = createPidDetector({ currentYear: 2026 });

function caught(text: string, pid: string): boolean {
  const start = text.indexOf(pid);
  if (start < 0) throw new Error(`corpus case ${JSON.stringify(text)} does not contain its PID`);
  const end = start + pid.length;
  return detect(text).some((f) => f.start < end && f.end > start);
}

describe('PID detector over the corpus', () => {
  it('has a broad corpus: at least 150 cases, 80 of them ordinary clinical text', () => {
    expect(identifierCases.length + clinicalTexts.length).toBeGreaterThanOrEqual(150);
    expect(clinicalTexts.length).toBeGreaterThanOrEqual(80);
    for (const c of identifierCases.filter((c) => c.family === 'nhs-number')) {
      expect(isValidNhsDigits(c.pid.replace(/\D/g, '')), c.pid).toBe(true);
    }
  });

  it('catches at least 95% of identifiers, and reports the misses', () => {
    const missed = identifierCases.filter((c) => !caught(c.text, c.pid));
    const recall = 1 - missed.length / identifierCases.length;
    console.log(
      `PID corpus recall: ${identifierCases.length - missed.length}/${identifierCases.length} = ${(recall * 100).toFixed(1)}%` +
        (missed.length
          ? `; missed: ${missed.map((c) => `${c.family} ${JSON.stringify(c.text)}`).join('; ')}`
          : ''),
    );
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it('raises no false alarm on ordinary clinical text', () => {
    const alarms = clinicalTexts
      .map((text) => ({
        text,
        found: detect(text).map((f) => `${f.kind} ${JSON.stringify(f.text)}`),
      }))
      .filter((a) => a.found.length > 0);
    console.log(`PID corpus false alarms: ${alarms.length}/${clinicalTexts.length} clinical texts`);
    expect(alarms).toEqual([]);
  });
});
