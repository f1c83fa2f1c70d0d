import { describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../../shared/errors.js';
import {
  decodeContent,
  encodeContent,
  paddingBlockSize,
  type Content,
} from '../../../../main/core/messaging/content-codec.js';

const text: Content = {
  v: 1,
  id: 'msg-0001abcd',
  sentAt: 1_764_000_000_000,
  kind: 'text',
  text: 'Call back Mrs B after 3',
};

describe('content codec', () => {
  it('round-trips every kind', () => {
    const samples: Content[] = [
      text,
      { ...text, urgent: true, replyTo: 'msg-0000prev' },
      {
        v: 1,
        id: 'rcpt-00000001',
        sentAt: 1,
        kind: 'receipt',
        receipt: 'read',
        messageIds: ['msg-0001abcd'],
      },
      {
        v: 1,
        id: 'del-000000001',
        sentAt: 2,
        kind: 'delete',
        messageIds: ['msg-0001abcd'],
        reason: 'transcribed',
      },
      {
        v: 1,
        id: 'tr-0000000001',
        sentAt: 3,
        kind: 'transcribed',
        messageIds: ['msg-0001abcd'],
        transcribedBy: 'Dr A Patel (clinician)',
        transcribedAt: 3,
        deleteAt: 10,
      },
      { v: 1, id: 'tmr-000000001', sentAt: 4, kind: 'disappearing-timer', seconds: 3600 },
      { v: 1, id: 'rst-000000001', sentAt: 5, kind: 'session-reset' },
    ];
    for (const sample of samples) expect(decodeContent(encodeContent(sample))).toEqual(sample);
  });

  it('pads to whole blocks so short messages of different lengths look alike', () => {
    const short = encodeContent({ ...text, text: 'ok' });
    const longer = encodeContent({ ...text, text: 'x'.repeat(120) });
    expect(short.length % paddingBlockSize).toBe(0);
    expect(short.length).toBe(longer.length);
    expect(encodeContent({ ...text, text: 'x'.repeat(600) }).length).toBeGreaterThan(short.length);
  });

  it('refuses content without the padding terminator, bad JSON, or an unknown kind', () => {
    const unterminated = new TextEncoder().encode(JSON.stringify(text));
    expect(() => decodeContent(unterminated)).toThrow(/padding terminator/);
    const garbage = new Uint8Array([0x7b, 0x7b, 0x80, 0]);
    expect(() => decodeContent(garbage)).toThrow(/not valid UTF-8 JSON/);
    const unknownKind = new TextEncoder().encode(JSON.stringify({ ...text, kind: 'poll' }));
    const error = captureError(() => decodeContent(Uint8Array.from([...unknownKind, 0x80])));
    expect(isMessengerError(error, 'invalid_input')).toBe(true);
    expect(String(error)).toMatch(/not understood/);
  });

  it('refuses to encode invalid content', () => {
    expect(() => encodeContent({ ...text, id: 'bad id' })).toThrow();
    expect(() => encodeContent({ ...text, text: '' })).toThrow();
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
