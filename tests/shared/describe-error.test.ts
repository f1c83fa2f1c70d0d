import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RelayRequestError } from '../../main/core/messaging/relay/relay-http.js';
import { RelayError } from '../../server/relay-error.js';
import { describeError } from '../../shared/describe-error.js';
import { MessengerError } from '../../shared/errors.js';

const pid = 'Mrs Jane Patient, NHS 943 476 5919, DOB 01/02/1950';
const token = 'Zq3xJr9Lk2Vb8Np1Tt6Hy0Ww4Ee7Rr5Uu2Ii9Oo3Pp1A';

describe('describeError', () => {
  it('names the kind and code, never the message', () => {
    expect(describeError(new Error(pid))).toBe('Error');
    expect(describeError(new TypeError(`token ${token}`))).toBe('TypeError');
    expect(describeError(new MessengerError('not_found', pid))).toBe('MessengerError:not_found');
    expect(describeError(new RelayRequestError(0, 'network', `at ${pid}`))).toBe(
      'RelayRequestError:network',
    );
    expect(describeError(new RelayError('invalid_input', pid))).toBe('RelayError:invalid_input');
    const sqlite = Object.assign(new Error(`SQLITE_BUSY near "${pid}"`), {
      name: 'SqliteError',
      code: 'SQLITE_BUSY',
    });
    expect(describeError(sqlite)).toBe('SqliteError:SQLITE_BUSY');
  });

  it('leaves out a code or name that is not plainly a program-written word', () => {
    const sneaky = Object.assign(new Error('x'), { code: token, name: `Error ${pid}` });
    expect(describeError(sneaky)).toBe('Error');
    expect(describeError(Object.assign(new Error('x'), { code: '9434765919' }))).toBe('Error');
    expect(describeError(Object.assign(new Error('x'), { code: 1011 }))).toBe('Error:1011');
  });

  it('says only the type of something thrown that is not an Error', () => {
    expect(describeError(pid)).toBe('string');
    expect(describeError({ message: pid })).toBe('object');
    expect(describeError(null)).toBe('null');
    expect(describeError(undefined)).toBe('undefined');
  });

  it('never returns any part of the message, whatever the error', () => {
    const errors: unknown[] = [
      new Error(pid),
      new RangeError(token),
      new MessengerError('internal', token),
      new RelayRequestError(500, 'internal', pid, { token }),
      Object.assign(new Error(pid), { code: 'ECONNREFUSED' }),
    ];
    for (const error of errors) {
      const described = describeError(error);
      expect(described).not.toContain('Jane');
      expect(described).not.toContain('943');
      expect(described).not.toContain(token);
    }
  });
});

// The ten call sites that logged `error.message` (or String(error), which includes it) are gone;
// this keeps a new one from appearing in the app or the relay.
describe('log calls', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return files(full);
      return full.endsWith('.ts') ? [full] : [];
    });
  const logCall =
    /\b(?:log|logger)\s*\.\s*(?:debug|info|warn|error)\(\s*['"`][a-z_]+['"`]\s*,\s*\{[^}]*\}/g;

  it('pass errors through describeError, never their message', () => {
    const offending: string[] = [];
    for (const file of [...files(path.join(root, 'main')), ...files(path.join(root, 'server'))]) {
      const source = readFileSync(file, 'utf8');
      for (const call of source.match(logCall) ?? []) {
        if (/\.message\b|String\(\s*(?:error|caught|err|e)\s*\)/.test(call)) {
          offending.push(`${path.relative(root, file)}: ${call.replace(/\s+/g, ' ')}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});
