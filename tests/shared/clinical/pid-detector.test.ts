import { describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../shared/errors.js';
import {
  createPidDetector,
  detectPid,
  resolveOverlaps,
  type PidFinding,
} from '../../../shared/clinical/pid-detector.js';
import { catastrophicShape } from '../../../shared/clinical/hospital-number-patterns.js';

/** Findings as [kind, text] pairs, checking that each span slices back to its text. */
function found(text: string, findings: PidFinding[] = detectPid(text)): Array<[string, string]> {
  for (const f of findings) expect(text.slice(f.start, f.end)).toBe(f.text);
  return findings.map((f) => [f.kind, f.text]);
}

describe('NHS numbers', () => {
  it('flags valid numbers in every spelling, with exact spans', () => {
    const text = 'Pt 943 476 5919, also 9434765919 and 943-476-5919; test 999 000 0018.';
    const findings = detectPid(text);
    expect(found(text, findings)).toEqual([
      ['nhs-number', '943 476 5919'],
      ['nhs-number', '9434765919'],
      ['nhs-number', '943-476-5919'],
      ['nhs-number', '999 000 0018'],
    ]);
    expect(findings[0]).toMatchObject({ start: 3, end: 15, label: 'Valid NHS number' });
  });

  it('does not flag a 10-digit number with a wrong check digit, or a repeated digit', () => {
    expect(found('ref 943 476 5918 and 9876544321 and 123 456 7890')).toEqual([]);
    expect(found('0000000000 and 111 111 1111')).toEqual([]);
  });

  it('does not split a valid NHS number out of a longer digit run or a decimal', () => {
    expect(found('94347659190 and 1.9434765919 and 9434765919mg')).toEqual([]);
  });

  it('reports a check-digit-failing 10-digit number that starts with 0 as a phone number only', () => {
    // 0123456788 fails Modulus 11 (not an NHS number) but is shaped like a 10-digit 01 landline.
    expect(found('ring 012 345 6788')).toEqual([['phone-number', '012 345 6788']]);
    // 0123456789 passes the check: both readings are PID, the NHS number is the more specific.
    expect(found('ring 012 345 6789')).toEqual([['nhs-number', '012 345 6789']]);
  });
});

describe('dates', () => {
  // Fixed so that the plain-date rule (recent and future dates are appointments) is stable.
  const detect = createPidDetector({ currentYear: 2026 });

  it.each([
    '03/03/1950',
    '3/3/1950',
    '03.03.1950',
    '03-03-1950',
    '03/03/50',
    '03.03.50',
    '3rd March 1950',
    '3 Mar 1950',
    '3 March, 1950',
    '3rd of March 1950',
    '03-Mar-1950',
    "3 Mar '50",
    'March 3rd, 1950',
    'Mar 3 1950',
    '1950-03-03',
    '1950/03/03',
    '29/02/2000',
    '12/25/1950',
  ])('flags %j as a date, and as a date of birth after "born"', (date) => {
    const findings = detect(`note: ${date} ok`);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'date', text: date, start: 6, label: 'Date' });
    expect(detect(`seen, born ${date} according to notes`)[0]!.label).toBe('Date of birth');
  });

  it('flags the date part of an ISO timestamp', () => {
    expect(found('at 1999-03-03T10:00:00Z', detect('at 1999-03-03T10:00:00Z'))).toEqual([
      ['date', '1999-03-03'],
    ]);
  });

  it.each([
    '31/02/1950',
    '32/01/1950',
    '00/01/1950',
    '29/02/1900',
    '03/13/50',
    '03/03/1850',
    '3rd March',
    'on 5 June 10 patients',
    '1.2.3.4',
    'v1.2.25',
    '03/03/195',
    '03/03-1950',
  ])('does not flag %j', (text) => expect(found(text, detect(text))).toEqual([]));

  it('labels an explicit DOB as a date of birth', () => {
    expect(detect('DOB: 03/03/1950')[0]!.label).toBe('Date of birth');
    expect(detect('d.o.b. 3 Mar 1950')[0]!.label).toBe('Date of birth');
  });
});

describe('postcodes', () => {
  it.each([
    'SW1A 1AA',
    'sw1a 1aa',
    'SW1A1AA',
    'M1 1AE',
    'B33 8TH',
    'CR2 6XH',
    'DN55 1PT',
    'W1A 0AX',
    'EC1A 1BB',
    'GIR 0AA',
    'gir0aa',
  ])('flags %j', (postcode) => {
    expect(found(`lives at ${postcode}, thanks`)).toEqual([['postcode', postcode]]);
  });

  it.each([
    'QA1 1AA',
    'V1 1AA',
    'AB1 1CA',
    'SW1A 1AAA',
    'XSW1A 1AA',
    'ward B1 2nd floor',
    'E2 4hr obs',
  ])('does not flag %j', (text) => expect(found(text)).toEqual([]));
});

describe('phone numbers', () => {
  it.each([
    ['07700 900123', 'UK mobile number'],
    ['07700900123', 'UK mobile number'],
    ['07700 900 123', 'UK mobile number'],
    ['077-0090-0123', 'UK mobile number'],
    ['+44 7700 900123', 'UK mobile number'],
    ['+447700900123', 'UK mobile number'],
    ['+44 (0)7700 900123', 'UK mobile number'],
    ['0044 7700 900123', 'UK mobile number'],
    ['020 7946 0958', 'UK landline number'],
    ['0161 496 0000', 'UK landline number'],
    ['(01632) 960123', 'UK landline number'],
    ['01632 960123', 'UK landline number'],
    ['0300 123 4567', 'UK landline number'],
    ['016977 3456', 'UK landline number'],
  ])('flags %j as %s', (phone, label) => {
    const findings = detectPid(`call ${phone} today`);
    expect(found(`call ${phone} today`, findings)).toEqual([['phone-number', phone]]);
    expect(findings[0]).toMatchObject({ start: 5, label });
  });

  it.each([
    '0800 123 4567',
    '07700 90012',
    '077009001234',
    '(01632 960123',
    '020 7946 09581',
    '£07700900123',
  ])('does not flag %j', (text) => expect(found(text)).toEqual([]));
});

describe('National Insurance numbers', () => {
  it.each(['AB 12 34 56 C', 'AB123456C', 'ab123456c', 'JG 10 37 59 A', 'OA 12 34 56 D'])(
    'flags %j',
    (ni) => {
      expect(found(`NI ${ni}.`)).toEqual([['ni-number', ni]]);
    },
  );

  it.each([
    'DA123456A',
    'FA123456A',
    'IA123456A',
    'QQ123456C',
    'UA123456A',
    'VA123456A',
    'AD123456A',
    'AO123456A',
    'BG123456A',
    'GB123456A',
    'KN123456A',
    'NK123456A',
    'NT123456A',
    'TN123456A',
    'ZZ123456A',
    'AB123456E',
    'AB12345C',
  ])('does not flag %j without an NI keyword', (ni) => expect(found(`ref ${ni}.`)).toEqual([]));

  it('flags any two letters and six digits after an NI keyword, suffix or not', () => {
    expect(found('NI QQ123456C.')).toEqual([['ni-number', 'QQ123456C']]);
    expect(found('NI no: QQ 12 34 56')).toEqual([['ni-number', 'QQ 12 34 56']]);
  });
});

describe('email addresses', () => {
  it('flags addresses with their exact span', () => {
    const text = 'Email jane.doe+gp@nhs.net. Or J_Smith@practice.nhs.uk';
    expect(found(text)).toEqual([
      ['email', 'jane.doe+gp@nhs.net'],
      ['email', 'J_Smith@practice.nhs.uk'],
    ]);
    expect(detectPid(text)[0]!.label).toBe('Email address');
  });

  it('prefers the email over a phone number or postcode inside it', () => {
    expect(found('07700900123@nhs.net')).toEqual([['email', '07700900123@nhs.net']]);
    expect(found('sw1a1aa@example.com')).toEqual([['email', 'sw1a1aa@example.com']]);
  });

  it('does not flag an @ mention or a bare domain', () => {
    expect(found('ask @drsmith or see nhs.uk, a@b')).toEqual([]);
  });
});

describe('hospital numbers from policy', () => {
  const options = { hospitalNumberPatterns: ['[A-Z]{3}\\d{7}', '\\d{7}'] };

  it('flags policy patterns after a keyword only', () => {
    const text =
      'MRN: RBA1234567, Hosp no 1234567, hospital number is 7654321, unit no. 1112223, ref 1234567';
    expect(found(text, detectPid(text, options))).toEqual([
      ['hospital-number', 'RBA1234567'],
      ['hospital-number', '1234567'],
      ['hospital-number', '7654321'],
      ['hospital-number', '1112223'],
    ]);
    expect(detectPid(text, options)[0]!.label).toBe('Hospital number (practice policy)');
  });

  it('accepts the number written straight after the keyword, but not keyword-like words', () => {
    const text = 'MRN1234567, hosp #7654321, hospno 1112223, mrna 1234567, unit nothing 1234567';
    expect(found(text, detectPid(text, options))).toEqual([
      ['hospital-number', '1234567'],
      ['hospital-number', '7654321'],
      ['hospital-number', '1112223'],
    ]);
  });

  it('does not take a policy match that is only part of a longer token', () => {
    const findings = detectPid('MRN 12345678', options);
    expect(found('MRN 12345678', findings)).toEqual([['hospital-number', '12345678']]);
    expect(findings[0]!.label).toBe('Hospital number');
  });

  it('still flags a hospital number after a keyword when the policy has no patterns', () => {
    expect(found('MRN RBA1234567')).toEqual([['hospital-number', 'RBA1234567']]);
    expect(detectPid('MRN RBA1234567')[0]!.label).toBe('Hospital number');
  });

  it('rejects an invalid regex with a clear error naming the pattern', () => {
    let caught: unknown;
    try {
      createPidDetector({ hospitalNumberPatterns: ['\\d{7}', '[A-Z'] });
    } catch (e) {
      caught = e;
    }
    expect(isMessengerError(caught, 'invalid_input')).toBe(true);
    expect((caught as Error).message).toMatch(/pattern 2 .* not a valid regular expression/);
  });

  it.each([
    ['(a+)+b', /nested quantifier/],
    ['(\\d*)*', /nested quantifier/],
    ['(?:a|ab)+c', /nested quantifier/],
    ['([A-Z]+\\d{1,3}){2,}', /nested quantifier/],
    ['(\\d)\\1', /backreference/],
    ['', /empty/],
    ['\\d*', /matches empty text/],
    ['x'.repeat(201), /longer than 200/],
  ])('refuses the dangerous or useless pattern %j', (pattern, reason) => {
    expect(() => createPidDetector({ hospitalNumberPatterns: [pattern] })).toThrow(reason);
  });

  it('accepts safe shapes with nested fixed or optional parts', () => {
    for (const p of [
      '(\\d{3}-){2}\\d{4}',
      '(?:RBA|RXX)\\d{7}',
      '[A-Z]{1,3}\\d+',
      '(\\d{3})?\\d{7}',
      '(?<!x)\\d{6}',
    ]) {
      expect(catastrophicShape(p)).toBeNull();
    }
  });

  it('stays fast on adversarial text after a keyword, even with a polynomial pattern', () => {
    const detector = createPidDetector({ hospitalNumberPatterns: ['\\d+\\d+\\d+x'] });
    const text = `MRN ${'1'.repeat(5000)} `.repeat(20);
    const started = performance.now();
    detector(text);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('false positives', () => {
  it.each([
    '10 tablets',
    'call 3 times a day',
    'at 10:30 or 14.45',
    'costs £12.50 or £1,234.56',
    '500mg twice daily, 5ml, 2.5 mg',
    'BP 140/90, pulse 72, temp 37.5',
    '2/52 ago, 12/12 history, 3/7 days',
    'room 12, ext 4455, code 123456',
    'HbA1c 48 mmol/mol, B12 normal, eGFR 60',
    '1st, 2nd and 3rd doses',
    'ref 943 476 5918',
  ])('flags nothing in %j', (text) => expect(found(text)).toEqual([]));
});

describe('the combined result', () => {
  it('is sorted by start and non-overlapping across kinds', () => {
    const text =
      'Mrs X, DOB 03/03/1950, NHS 943 476 5919, SW1A 1AA, 07700 900123, AB 12 34 56 C, x@y.nhs.uk';
    const findings = detectPid(text);
    expect(findings.map((f) => f.kind)).toEqual([
      'date',
      'nhs-number',
      'postcode',
      'phone-number',
      'ni-number',
      'email',
    ]);
    for (let i = 1; i < findings.length; i += 1) {
      expect(findings[i]!.start).toBeGreaterThanOrEqual(findings[i - 1]!.end);
    }
  });

  it('keeps the higher-priority finding where two overlap', () => {
    const base = { severity: 'identifier', text: '', label: '' } as const;
    const a: PidFinding = { ...base, kind: 'phone-number', start: 0, end: 11 };
    const b: PidFinding = { ...base, kind: 'nhs-number', start: 1, end: 11 };
    const c: PidFinding = { ...base, kind: 'postcode', start: 12, end: 18 };
    expect(resolveOverlaps([a, c, b])).toEqual([b, c]);
  });

  it('can be restricted to some kinds by policy', () => {
    const text = 'DOB 03/03/1950 NHS 943 476 5919';
    expect(found(text, detectPid(text, { kinds: ['nhs-number'] }))).toEqual([
      ['nhs-number', '943 476 5919'],
    ]);
  });

  it('handles empty and PID-free text', () => {
    expect(detectPid('')).toEqual([]);
    expect(detectPid('Can you call Mrs S back about her results please?')).toEqual([]);
  });
});
