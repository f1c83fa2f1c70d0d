import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAuditView } from '../../../../main/core/audit/audit-view.js';
import { escapeHtml } from '../../../../shared/escape-html.js';
import { exportConversation } from '../../../../main/core/audit/authorised-export.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import {
  GP,
  MANAGER,
  RECEPTION,
  enrolledProfile,
  storeMessage,
  type Person,
} from '../helpers/clinical-profile.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

const t0 = Date.UTC(2025, 5, 2, 8, 0);
const HOSTILE = `<script>alert("pwned")</script><img src=x onerror=alert(1)> & 'quoted'`;

let temp: ReturnType<typeof makeTempDir>;
let store: ProfileStore;
const profiles: OpenProfile[] = [];

beforeEach(() => {
  temp = makeTempDir();
  store = newStore(temp.dir);
});
afterEach(() => {
  for (const p of profiles.splice(0)) if (!p.closed) p.close();
  temp.cleanup();
});

async function profileOf(self: Person): Promise<OpenProfile> {
  const p = await enrolledProfile(store, self, t0);
  profiles.push(p);
  return p;
}

describe('the audit log view', () => {
  it('is refused for reception and clinicians, with forbidden', async () => {
    for (const self of [RECEPTION, GP]) {
      const p = await profileOf(self);
      expect(() => listAuditView(p.repositories, { limit: 10 })).toThrow(
        expect.objectContaining({ code: 'forbidden' }),
      );
    }
  });

  it('is refused when the own role is unknown (not in the directory)', async () => {
    const p = await enrolledProfile(store, MANAGER, t0, []);
    profiles.push(p);
    p.repositories.contacts.markRemoved(MANAGER.accountId, t0);
    p.db.prepare('DELETE FROM contacts WHERE account_id = ?').run(MANAGER.accountId);
    expect(() => listAuditView(p.repositories, { limit: 10 })).toThrow(/Only the practice manager/);
  });

  it('shows a manager every entry, newest first, actors named, paged', async () => {
    const p = await profileOf(MANAGER);
    const kinds = [
      'transcription.confirmed',
      'transcription.undone',
      'transcription.copied',
      'transcription.fhir_saved',
      'conversation.exported',
    ] as const;
    for (let i = 0; i < 5; i += 1) {
      p.repositories.audit.append({
        at: t0 + i,
        actorAccountId: i % 2 ? GP.accountId : null,
        action: kinds[i]!,
        conversationId: 'conv-1',
        messageIds: [`message-${i}`],
        patientRefHash: 'hmac-sha256:ab',
        details: { n: i },
      });
    }
    const first = listAuditView(p.repositories, { limit: 3 });
    expect(first.entries.map((e) => e.action)).toEqual([kinds[4], kinds[3], kinds[2]]);
    expect(first.entries[1]?.actor).toEqual({
      accountId: GP.accountId,
      displayName: GP.displayName,
      role: 'clinician',
    });
    expect(first.entries[0]?.actor).toBeNull();
    const second = listAuditView(p.repositories, { limit: 3, beforeId: first.nextBeforeId ?? 0 });
    expect(second.entries.map((e) => e.action)).toEqual([kinds[1], kinds[0]]);
    expect(second.nextBeforeId).toBeNull();
  });
});

describe('Subject Access Request export', () => {
  async function withConversation() {
    const p = await profileOf(GP);
    const q = storeMessage(p, {
      self: GP,
      peer: RECEPTION,
      sender: RECEPTION,
      text: HOSTILE,
      sentAt: t0,
    });
    storeMessage(p, {
      self: GP,
      peer: RECEPTION,
      sender: GP,
      text: 'Line one\nLine two',
      sentAt: t0 + 60_000,
    });
    p.repositories.messages.markTranscribed([q.id], GP.accountId, t0 + 120_000);
    const folder = path.join(temp.dir, 'exports');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    return { p, conversationId: q.conversationId, folder };
  }

  it('is refused when the policy does not allow it, before asking for anything', async () => {
    const { p, conversationId, folder } = await withConversation();
    let asked = false;
    await expect(
      exportConversation(
        p,
        { allowExport: false },
        {
          conversationId,
          passcode: PASSCODE,
          reference: null,
          chooseFolder: async () => ((asked = true), folder),
        },
      ),
    ).rejects.toMatchObject({ code: 'policy_restricted' });
    expect(asked).toBe(false);
    expect(readdirSync(folder)).toEqual([]);
    expect(store.attemptState(p.id).failures).toBe(0);
  });

  it('is refused with the wrong passcode, which counts as a failed attempt', async () => {
    const { p, conversationId, folder } = await withConversation();
    await expect(
      exportConversation(
        p,
        { allowExport: true },
        {
          conversationId,
          passcode: 'not the passcode',
          reference: null,
          chooseFolder: async () => folder,
        },
      ),
    ).rejects.toMatchObject({ code: 'invalid_passcode' });
    expect(readdirSync(folder)).toEqual([]);
    expect(store.attemptState(p.id).failures).toBe(1);
    expect(p.repositories.audit.list()).toEqual([]);
  });

  it('writes escaped self-contained HTML and JSON, 0600, and audits the export', async () => {
    const { p, conversationId, folder } = await withConversation();
    const result = await exportConversation(
      p,
      { allowExport: true },
      {
        conversationId,
        passcode: PASSCODE,
        reference: 'SAR-2025-014',
        chooseFolder: async () => folder,
      },
      () => t0 + 3_600_000,
    );
    expect(result).toMatchObject({ exported: true, messageCount: 2 });
    expect(readdirSync(folder).sort()).toEqual([...result.files].sort());
    const html = readFileSync(path.join(folder, result.files[0]!), 'utf8');
    const json = JSON.parse(readFileSync(path.join(folder, result.files[1]!), 'utf8'));
    for (const file of result.files) {
      if (process.platform !== 'win32')
        expect(statSync(path.join(folder, file)).mode & 0o777).toBe(0o600);
    }

    // The markup arrives as text: no element, no handler, nothing executable anywhere.
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<[^>]*\son\w+=/i);
    const tags = new Set(
      [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]?.toLowerCase()),
    );
    const allowed = [
      'html',
      'head',
      'meta',
      'title',
      'style',
      'body',
      'h1',
      'h2',
      'table',
      'tr',
      'th',
      'td',
      'div',
      'p',
      'strong',
      'span',
      'br',
    ];
    expect([...tags].filter((t) => !allowed.includes(t ?? ''))).toEqual([]);
    expect(html).toContain(
      `content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;"`,
    );
    expect(html).toContain('Line one\nLine two');
    expect(html).toContain('Transcribed into the patient record by Dr Amira Khan (clinician)');
    expect(html).toContain('SAR-2025-014');

    expect(json).toMatchObject({
      format: 'practice-messenger/conversation-export',
      reference: 'SAR-2025-014',
      exportedBy: { accountId: GP.accountId },
      conversation: {
        id: conversationId,
        participants: [{ accountId: GP.accountId }, { accountId: RECEPTION.accountId }],
      },
    });
    expect(json.messages.map((m: { text: string }) => m.text)).toEqual([
      HOSTILE,
      'Line one\nLine two',
    ]);

    const [audit] = p.repositories.audit.list();
    expect(audit).toMatchObject({
      action: 'conversation.exported',
      actorAccountId: GP.accountId,
      conversationId,
      details: { messageCount: 2, reference: 'SAR-2025-014' },
    });
    expect(JSON.stringify(audit)).not.toContain('alert');
  });

  it('escapes every character that can open markup or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('does nothing when the user cancels the folder choice', async () => {
    const { p, conversationId } = await withConversation();
    const result = await exportConversation(
      p,
      { allowExport: true },
      {
        conversationId,
        passcode: PASSCODE,
        reference: null,
        chooseFolder: async () => null,
      },
    );
    expect(result).toEqual({ exported: false, files: [], messageCount: 0 });
    expect(p.repositories.audit.list()).toEqual([]);
  });
});
