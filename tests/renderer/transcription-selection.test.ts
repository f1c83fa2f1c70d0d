import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../shared/ipc/view-schemas.js';
import { transcribableIds } from '../../renderer/src/logic/transcription-selection.js';

const gp = { accountId: 'gp-1', displayName: 'Dr Priya Patel', role: 'clinician' as const };

function message(id: string, sentAt: number, notice = false): MessageView {
  return {
    id,
    conversationId: 'c1',
    direction: 'incoming',
    sender: gp,
    text: notice ? 'A message from Dr Priya Patel could not be decrypted.' : `advice ${id}`,
    sentAt,
    receivedAt: sentAt,
    status: 'delivered',
    urgent: false,
    replyTo: null,
    ...(notice ? { notice: true } : {}),
  };
}

describe('messages chosen for transcription', () => {
  const messages = [
    message('message-a', 1),
    message('message-n', 2, true),
    message('message-b', 3),
    message('message-c', 4),
  ];

  it('keeps conversation order, whatever order they were chosen in', () => {
    expect(transcribableIds(messages, new Set(['message-c', 'message-a']))).toEqual([
      'message-a',
      'message-c',
    ]);
  });

  it('leaves out a notice this device wrote, even when chosen', () => {
    expect(transcribableIds(messages, new Set(['message-b', 'message-n', 'message-a']))).toEqual([
      'message-a',
      'message-b',
    ]);
    expect(transcribableIds(messages, new Set(['message-n']))).toEqual([]);
  });

  it('ignores chosen ids that are no longer on screen', () => {
    expect(transcribableIds(messages, new Set(['message-gone', 'message-b']))).toEqual([
      'message-b',
    ]);
  });
});
