import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../shared/errors.js';
import {
  formatNhsNumber,
  isValidNhsDigits,
  isValidNhsNumber,
  nhsNumberCheckDigit,
  normaliseNhsNumber,
} from '../../../shared/clinical/nhs-number.js';

describe('isValidNhsNumber', () => {
  it.each(['943 476 5919', '999 000 0018', '9434765919', '943-476-5919', '  943 476 5919\n'])(
    'accepts %j',
    (input) => expect(isValidNhsNumber(input)).toBe(true),
  );

  it.each([
    ['943 476 5918', 'wrong check digit'],
    ['123 456 7890', 'remainder 10: no check digit exists'],
    ['987 654 4321', 'the often-quoted example fails the check'],
  ])('rejects %j (%s)', (input) => expect(isValidNhsNumber(input)).toBe(false));

  it.each([
    '94 347 65919',
    '9434 765 919',
    '943 4765919',
    '943 476-5919',
    '943  476 5919',
    '943.476.5919',
    '9434765919x',
    'x9434765919',
    'nine four three',
    'abc def ghij',
    '94347659190',
    '943476591',
    '',
    '   ',
    '９４３４７６５９１９',
  ])('rejects badly formatted %j', (input) => expect(isValidNhsNumber(input)).toBe(false));

  it('knows that 000 000 0000 passes the modulus 11 arithmetic', () => {
    expect(nhsNumberCheckDigit('000000000')).toBe(0);
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => String(d).repeat(10)))(
    'rejects the repeated-digit number %s',
    (digits) => {
      expect(isValidNhsNumber(digits)).toBe(false);
      expect(
        isValidNhsNumber(`${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`),
      ).toBe(false);
    },
  );

  it('computes check digits per the NHS Data Dictionary', () => {
    expect(nhsNumberCheckDigit('943476591')).toBe(9);
    expect(nhsNumberCheckDigit('999000001')).toBe(8);
    expect(nhsNumberCheckDigit('123456789')).toBeNull();
    expect(() => nhsNumberCheckDigit('12345')).toThrow(/nine digits/);
  });
});

describe('normaliseNhsNumber and formatNhsNumber', () => {
  it('normalises every accepted spelling to ten digits', () => {
    for (const s of ['943 476 5919', '943-476-5919', '9434765919']) {
      expect(normaliseNhsNumber(s)).toBe('9434765919');
      expect(formatNhsNumber(s)).toBe('943 476 5919');
    }
    expect(normaliseNhsNumber('943 476 5918')).toBeNull();
  });

  it('throws a typed error for an invalid number, without echoing it', () => {
    let caught: unknown;
    try {
      formatNhsNumber('943 476 5918');
    } catch (e) {
      caught = e;
    }
    expect(isMessengerError(caught, 'invalid_input')).toBe(true);
    expect((caught as Error).message).toMatch(/check digit/);
    expect((caught as Error).message).not.toContain('5918');
  });
});

/** Nine digits whose check digit exists, not all the same digit. */
const validNhsDigits = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 })
  .map((d) => d.join(''))
  .filter((nine) => nhsNumberCheckDigit(nine) !== null)
  .map((nine) => `${nine}${nhsNumberCheckDigit(nine)}`)
  .filter((ten) => !/^(\d)\1{9}$/.test(ten));

describe('properties', () => {
  it('every generated valid number passes, in all three spellings', () => {
    fc.assert(
      fc.property(validNhsDigits, (ten) => {
        const spaced = `${ten.slice(0, 3)} ${ten.slice(3, 6)} ${ten.slice(6)}`;
        expect(isValidNhsNumber(ten)).toBe(true);
        expect(isValidNhsNumber(spaced)).toBe(true);
        expect(isValidNhsNumber(spaced.replace(/ /g, '-'))).toBe(true);
        expect(formatNhsNumber(ten)).toBe(spaced);
      }),
    );
  });

  it('changing any one digit makes a valid number fail (Modulus 11 catches every single-digit error)', () => {
    fc.assert(
      fc.property(
        validNhsDigits,
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (ten, position, delta) => {
          const changed = (Number(ten[position]) + delta) % 10;
          const mutated = `${ten.slice(0, position)}${changed}${ten.slice(position + 1)}`;
          expect(isValidNhsDigits(mutated)).toBe(false);
        },
      ),
    );
  });
});
