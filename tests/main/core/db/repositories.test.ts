import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEncryptedDatabase,
  type SqlDatabase,
} from '../../../../main/core/db/encrypted-database.js';
import type { NewMessage } from '../../../../main/core/db/repositories/messages-repository.js';
import {
  createRepositories,
  type Repositories,
} from '../../../../main/core/db/repositories/repositories.js';
import { runMigrations } from '../../../../main/core/db/run-migrations.js';
import { makeTempDir } from '../helpers/temp-profiles.js';

let temp: ReturnType<typeof makeTempDir>;
let db: SqlDatabase;
let repos: Repositories;
beforeEach(() => {
  temp = makeTempDir();
  db = createEncryptedDatabase(path.join(temp.dir, 'test.db'), randomBytes(32));
  runMigrations(db);
  repos = createRepositories(db);
});
afterEach(() => {
  db.close();
  temp.cleanup();
});

function message(
  conversationId: string,
  id: string,
  sentAt: number,
  extra: Partial<NewMessage> = {},
) {
  return {
    id,
    conversationId,
    direction: 'incoming' as const,
    senderAccountId: 'dr-patel',
    senderDeviceId: 1,
    body: `text ${id}`,
    status: 'delivered' as const,
    sentAt,
    receivedAt: sentAt + 5,
    expiresAt: null,
    ...extra,
  };
}

describe('MessagesRepository', () => {
  it('stores a message once, drops duplicates and never re-stores a deleted id', () => {
    const conversation = repos.conversations.getOrCreateDirect('dr-patel', 1000);
    expect(repos.messages.insert(message(conversation.id, 'm1', 1000, { urgent: true }))).toBe(
      true,
    );
    expect(repos.messages.insert(message(conversation.id, 'm1', 1000))).toBe(false);
    expect(repos.messages.get('m1')).toMatchObject({
      id: 'm1',
      conversationId: conversation.id,
      urgent: true,
      status: 'delivered',
      sentAt: 1000,
      receivedAt: 1005,
      readAt: null,
      expiresAt: null,
      transcribedBy: null,
    });
    expect(repos.messages.delete(['m1'], 2000, 'sender')).toBe(1);
    expect(repos.messages.get('m1')).toBeNull();
    expect(repos.messages.wasDeleted('m1')).toBe(true);
    expect(repos.messages.insert(message(conversation.id, 'm1', 1000))).toBe(false);
  });

  it('pages by (sentAt, id) in both directions', () => {
    const { id } = repos.conversations.getOrCreateDirect('dr-patel', 0);
    const other = repos.conversations.getOrCreateDirect('nurse-jones', 0);
    for (let i = 0; i < 25; i += 1) {
      repos.messages.insert(
        message(id, `m${String(i).padStart(2, '0')}`, 1000 + Math.floor(i / 2)),
      );
    }
    repos.messages.insert(message(other.id, 'elsewhere', 1005));
    const latest = repos.messages.pageBefore(id, null, 10);
    expect(latest.map((m) => m.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${String(15 + i).padStart(2, '0')}`),
    );
    const last = latest[0];
    if (!last) throw new Error('empty page');
    const older = repos.messages.pageBefore(id, last, 10);
    expect(older.map((m) => m.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${String(5 + i).padStart(2, '0')}`),
    );
    const all = [];
    let cursor = null;
    for (;;) {
      const page = repos.messages.pageAfter(id, cursor, 7);
      if (page.length === 0) break;
      all.push(...page);
      cursor = page[page.length - 1] ?? null;
    }
    expect(all).toHaveLength(25);
    expect(all.map((m) => m.id)).toEqual([...all.map((m) => m.id)].sort());
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT * FROM messages WHERE conversation_id = 'x' AND (sent_at, id) < (1, 'a') ORDER BY sent_at DESC, id DESC LIMIT 5",
      )
      .all()
      .map((row) => (row as { detail: string }).detail)
      .join(' ');
    expect(plan).toMatch(/messages_by_conversation_time/);
  });

  it('moves status forward only, requires a reason for failed, allows a retry', () => {
    const { id } = repos.conversations.getOrCreateDirect('dr-patel', 0);
    repos.messages.insert(message(id, 'out', 1, { direction: 'outgoing', status: 'pending' }));
    expect(() => repos.messages.updateStatus('out', 'failed')).toThrow(/reason/);
    expect(repos.messages.updateStatus('out', 'failed', 'relay unreachable')).toBe(true);
    expect(repos.messages.get('out')).toMatchObject({
      status: 'failed',
      failureReason: 'relay unreachable',
    });
    expect(repos.messages.updateStatus('out', 'pending')).toBe(true);
    expect(repos.messages.get('out')?.failureReason).toBeNull();
    expect(repos.messages.updateStatus('out', 'sent')).toBe(true);
    expect(repos.messages.updateStatus('out', 'read')).toBe(true);
    expect(repos.messages.updateStatus('out', 'delivered')).toBe(false);
    expect(repos.messages.get('out')?.status).toBe('read');
    expect(repos.messages.updateStatus('missing', 'sent')).toBe(false);
  });

  it('tracks read, transcription and expiry, and deletes expired messages', () => {
    const { id } = repos.conversations.getOrCreateDirect('dr-patel', 0);
    repos.messages.insert(message(id, 'a', 1, { expiresAt: 5000 }));
    repos.messages.insert(message(id, 'b', 2));
    repos.messages.insert(message(id, 'c', 3, { expiresAt: 9000 }));
    expect(repos.messages.countUnread(id)).toBe(3);
    expect(repos.messages.markRead(['a', 'b'], 100)).toBe(2);
    expect(repos.messages.countUnread(id)).toBe(1);
    expect(repos.messages.markTranscribed(['b'], 'dr-patel', 200)).toBe(1);
    expect(repos.messages.get('b')).toMatchObject({
      transcribedBy: 'dr-patel',
      transcribedAt: 200,
    });
    repos.messages.setExpiry(['b'], 7000);
    expect(repos.messages.nextExpiry()).toBe(5000);
    expect(repos.messages.deleteExpired(7000).sort()).toEqual(['a', 'b']);
    expect(repos.messages.nextExpiry()).toBe(9000);
    expect(repos.messages.pageAfter(id, null, 10).map((m) => m.id)).toEqual(['c']);
  });
});

describe('other repositories', () => {
  it('conversations: one direct conversation per peer, cascade delete, identity flag', () => {
    const a = repos.conversations.getOrCreateDirect('dr-patel', 10);
    expect(repos.conversations.getOrCreateDirect('dr-patel', 20).id).toBe(a.id);
    const group = repos.conversations.createGroup('Duty team', ['dr-patel', 'nurse-jones'], 30);
    expect(repos.conversations.members(group.id)).toEqual(['dr-patel', 'nurse-jones']);
    repos.conversations.touch(a.id, 50);
    repos.conversations.touch(a.id, 40);
    expect(repos.conversations.list().map((c) => c.id)).toEqual([a.id, group.id]);
    expect(repos.conversations.get(a.id)?.lastActivityAt).toBe(50);
    repos.conversations.markIdentityChanged('dr-patel', 60);
    expect(repos.conversations.get(a.id)?.identityChangedAt).toBe(60);
    repos.conversations.clearIdentityChanged(a.id);
    expect(repos.conversations.get(a.id)?.identityChangedAt).toBeNull();
    repos.conversations.setDisappearingSeconds(a.id, 3600);
    expect(repos.conversations.get(a.id)?.disappearingSeconds).toBe(3600);
    repos.messages.insert(message(a.id, 'gone-with-it', 1));
    expect(repos.conversations.delete(a.id)).toBe(true);
    expect(repos.messages.get('gone-with-it')).toBeNull();
  });

  it('contacts: directory replace marks leavers as removed', () => {
    repos.contacts.upsert({ accountId: 'a', displayName: 'Dr A', role: 'GP' }, 1);
    repos.contacts.upsert({ accountId: 'b', displayName: 'Nurse B' }, 1);
    repos.contacts.replaceDirectory(
      [{ accountId: 'a', displayName: 'Dr A (partner)', role: 'GP' }],
      2,
    );
    expect(repos.contacts.list()).toEqual([
      {
        accountId: 'a',
        displayName: 'Dr A (partner)',
        role: 'GP',
        removed: false,
        updatedAt: 2,
        identifiers: {},
      },
    ]);
    expect(repos.contacts.get('b')).toMatchObject({ removed: true, updatedAt: 2 });
    expect(repos.contacts.list({ includeRemoved: true })).toHaveLength(2);
  });

  it('contacts: keeps the GMC / NMC / SDS ids the directory lists, and drops them when it stops', () => {
    repos.contacts.replaceDirectory(
      [
        {
          accountId: 'a',
          displayName: 'Dr A',
          role: 'clinician',
          gmcNumber: '1234567',
          sdsUserId: '555021935107',
        },
      ],
      1,
    );
    expect(repos.contacts.get('a')?.identifiers).toEqual({
      gmcNumber: '1234567',
      sdsUserId: '555021935107',
    });
    repos.contacts.replaceDirectory(
      [{ accountId: 'a', displayName: 'Dr A', role: 'clinician' }],
      2,
    );
    expect(repos.contacts.get('a')?.identifiers).toEqual({});
  });

  it('outbox: due items in order, failures push the next attempt back', () => {
    const first = repos.outbox.enqueue(
      {
        kind: 'message',
        messageId: 'm1',
        recipientAccountId: 'a',
        payload: new Uint8Array([1, 2]),
      },
      100,
    );
    const second = repos.outbox.enqueue(
      { kind: 'receipt', recipientAccountId: 'b', payload: new Uint8Array([3]) },
      101,
    );
    expect(repos.outbox.due(200).map((i) => i.id)).toEqual([first, second]);
    repos.outbox.recordFailure(first, 'timeout', 500);
    expect(repos.outbox.due(200).map((i) => i.id)).toEqual([second]);
    expect(repos.outbox.get(first)).toMatchObject({
      attempts: 1,
      lastError: 'timeout',
      nextAttemptAt: 500,
    });
    expect([...(repos.outbox.get(first)?.payload ?? [])]).toEqual([1, 2]);
    expect(repos.outbox.nextDueAt()).toBe(101);
    expect(repos.outbox.remove(second)).toBe(true);
    expect(repos.outbox.removeForMessage('m1')).toBe(1);
    expect(repos.outbox.count()).toBe(0);
  });

  it('audit: append-only, newest first, with message ids but no text', () => {
    const one = repos.audit.append({
      at: 1,
      actorAccountId: 'gp',
      action: 'transcription.confirmed',
      conversationId: 'c',
      messageIds: ['m1', 'm2'],
      patientRefHash: 'h',
      details: { count: 2 },
    });
    const two = repos.audit.append({
      at: 2,
      actorAccountId: null,
      action: 'retention.expired_deleted',
    });
    expect(repos.audit.list().map((e) => e.id)).toEqual([two, one]);
    expect(repos.audit.list({ beforeId: two })).toEqual([
      {
        id: one,
        at: 1,
        actorAccountId: 'gp',
        action: 'transcription.confirmed',
        conversationId: 'c',
        messageIds: ['m1', 'm2'],
        patientRefHash: 'h',
        details: { count: 2 },
      },
    ]);
    expect(repos.audit.forConversation('c')).toHaveLength(1);
  });

  it('settings: JSON values validated on read', () => {
    repos.settings.set('relay', { url: 'https://relay.example', token: 't' }, 1);
    const schema = z.object({ url: z.string(), token: z.string() });
    expect(repos.settings.get('relay', schema)).toEqual({
      url: 'https://relay.example',
      token: 't',
    });
    expect(() => repos.settings.get('relay', z.number())).toThrow();
    expect(repos.settings.delete('relay')).toBe(true);
    expect(repos.settings.get('relay', schema)).toBeUndefined();
  });
});
