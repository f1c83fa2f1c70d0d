import { describe, expect, it } from 'vitest';
import type { AttachmentView, MessageView } from '../../shared/ipc/view-schemas.js';
import {
  attachmentAvailable,
  formatFileSize,
  messageExcerptText,
  transferLabel,
} from '../../renderer/src/logic/attachment-display.js';

const gp = { accountId: 'gp-1', displayName: 'Dr Priya Patel', role: 'clinician' as const };

function withFile(
  direction: MessageView['direction'],
  file: Partial<AttachmentView>,
  text = '',
): MessageView {
  return {
    id: 'msg-00000001',
    conversationId: 'c1',
    direction,
    sender: gp,
    text,
    sentAt: 1,
    receivedAt: null,
    status: 'delivered',
    urgent: false,
    replyTo: null,
    attachment: {
      name: 'scan.pdf',
      type: 'application/pdf',
      size: 2_500_000,
      state: 'ready',
      failure: null,
      progress: null,
      ...file,
    },
  };
}

describe('attachments as the conversation shows them', () => {
  it('sizes read like a file manager', () => {
    expect(formatFileSize(512)).toBe('512 bytes');
    expect(formatFileSize(58_000)).toBe('57 KB');
    expect(formatFileSize(2_500_000)).toBe('2.4 MB');
  });

  it('a received file can be opened only once downloaded; a sent one always', () => {
    expect(attachmentAvailable(withFile('incoming', { state: 'downloading' }))).toBe(false);
    expect(attachmentAvailable(withFile('incoming', { state: 'failed' }))).toBe(false);
    expect(attachmentAvailable(withFile('incoming', { state: 'ready' }))).toBe(true);
    expect(attachmentAvailable(withFile('outgoing', { state: 'uploading' }))).toBe(true);
  });

  it('says how far a transfer has got, and nothing once it is done', () => {
    const moving = withFile('incoming', { state: 'downloading', progress: { done: 2, total: 5 } });
    expect(transferLabel(moving)).toBe('Downloading 40%');
    expect(transferLabel(withFile('outgoing', { state: 'uploading' }))).toBe('Uploading…');
    expect(transferLabel(withFile('outgoing', { state: 'uploaded' }))).toBeNull();
  });

  it('names the file where a file-only message would otherwise be blank', () => {
    expect(messageExcerptText(withFile('incoming', {}))).toBe('File: scan.pdf');
    expect(messageExcerptText(withFile('incoming', {}, 'Discharge letter'))).toBe(
      'Discharge letter',
    );
  });
});
