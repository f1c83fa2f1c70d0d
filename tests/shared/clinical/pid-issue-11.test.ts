// The PID guard defects of issue 11, one test each: every one fails on the detector before it.
import { describe, expect, it } from 'vitest';
import { createPidDetector, type PidFinding } from '../../../shared/clinical/pid-detector.js';

const detect = createPidDetector({ currentYear: 2026 });
const spans = (text: string, findings: PidFinding[] = detect(text)) =>
  findings.map((f) => [f.kind, text.slice(f.start, f.end)]);

describe('issue 11: identifiers the guard missed', () => {
  it.each([
    ['NHS 943.476.5919 for bloods', '943.476.5919'],
    ['NHS 943  476  5919 for bloods', '943  476  5919'],
    ['NHS 943 . 476 . 5919', '943 . 476 . 5919'],
  ])('an NHS number written with dots or repeated spaces: %j', (text, nhs) => {
    expect(spans(text)).toEqual([['nhs-number', nhs]]);
  });

  it('but still only when it passes Modulus 11', () => {
    expect(spans('ref 943.476.5918 and 943  476  5918')).toEqual([]);
  });

  it.each(['AB-12-34-56-C', 'AB.12.34.56.C', 'AB 12-34-56 C'])(
    'an NI number with dashes or dots: %j',
    (ni) => expect(spans(`form for ${ni} please`)).toEqual([['ni-number', ni]]),
  );

  it.each([
    ['dob 03 Apr 56', '03 Apr 56'],
    ['DOB 030456', '030456'],
    ['D.O.B 3/4/56', '3/4/56'],
    ['date of birth 3rd April', '3rd April'],
    ['born in 1956', '1956'],
  ])('any date form after a DOB keyword: %j', (text, date) => {
    const findings = detect(text);
    expect(spans(text, findings)).toEqual([['date', date]]);
    expect(findings[0]!.label).toBe('Date of birth');
  });

  it.each([
    ['MRN: 12345678', '12345678'],
    ['Hosp no for Mrs P is RX1234567', 'RX1234567'],
    ['hosp. no. K123456', 'K123456'],
    ['unit number 7654321', '7654321'],
  ])('a 6+ character token shortly after a hospital-number keyword: %j', (text, number) => {
    expect(spans(text)).toEqual([['hospital-number', number]]);
  });

  it('but not a dose, nor a token in the next sentence', () => {
    expect(spans('unit no change, 1000mcg daily')).toEqual([]);
    expect(spans('MRN to follow. Seen 12345678 times')).toEqual([]);
  });

  it.each(['Mrs Jane Smith', 'Mr Patel', 'Ms O’Neill', 'Dr Zoë Brontë', 'Miss SMITH-JONES'])(
    'a titled name, as a lower-severity possible patient name: %j',
    (name) => {
      const findings = detect(`Can ${name} have a call back?`);
      expect(spans(`Can ${name} have a call back?`, findings)).toEqual([['patient-name', name]]);
      expect(findings[0]).toMatchObject({ severity: 'possible', label: 'Possible patient name' });
    },
  );

  it('but not initials, the recommended way to refer to a patient', () => {
    expect(spans('Can Mrs P have a call back? Mr J S is waiting')).toEqual([]);
  });
});

describe('issue 11: false alarms on clinical shorthand', () => {
  it.each([
    'Apgars 9-10-10',
    'oxycodone 5/5/10 mg',
    'steroid taper 40/30/20/10',
    'taper 12/10/10 then stop',
    'Hb 132 10/11/25',
  ])('flags nothing in %j', (text) => expect(spans(text)).toEqual([]));
});

describe('issue 11: a plain date is a date, not a date of birth', () => {
  it('labels a date without context "Date"', () => {
    const findings = detect('Mrs A, 03/04/1956, asking about her tablets');
    expect(findings.find((f) => f.kind === 'date')?.label).toBe('Date');
  });

  it('labels it a date of birth when an age is next to it', () => {
    expect(detect('82 yo, 12/05/1944, falls')[0]!.label).toBe('Date of birth');
  });

  it('does not report an appointment date at all', () => {
    expect(spans('Appointment booked for 03/12/2026 at 10:40')).toEqual([]);
    expect(spans('Echo 14/02/2019 showed EF 55%')).toEqual([]);
  });
});

describe('issue 11: practice hospital-number patterns with \\p{...}', () => {
  it('compiles them with the u flag they were validated with, so they match', () => {
    // Five characters: too short for the built-in rule, so only the policy pattern can find it.
    const detector = createPidDetector({ hospitalNumberPatterns: ['\\p{L}\\d{4}'] });
    const findings = detector('MRN é1234');
    expect(spans('MRN é1234', findings)).toEqual([['hospital-number', 'é1234']]);
    expect(findings[0]!.label).toBe('Hospital number (practice policy)');
  });
});
