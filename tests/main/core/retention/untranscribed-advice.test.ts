import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import { RetentionService } from '../../../../main/core/retention/retention-service.js';
import { UntranscribedAdviceQueries } from '../../../../main/core/retention/untranscribed-advice.js';
import { GP, RECEPTION, enrolledProfile, storeMessage } from '../helpers/clinical-profile.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { makeTempDir, newStore } from '../helpers/temp-profiles.js';

const day = 24 * 60 * 60 * 1000;
const t0 = Date.UTC(2025, 5, 2, 8, 0);

let temp: ReturnType<typeof makeTempDir>;
let clock: FakeClock;
let profile: OpenProfile;
let retention: RetentionService;
let advice: UntranscribedAdviceQueries;

beforeEach(async () => {
  temp = makeTempDir();
  clock = new FakeClock(t0);
  // The receptionist's device: the GP's advice arrives here and must not vanish unnoticed.
  profile = await enrolledProfile(newStore(temp.dir, { now: () => clock.now() }), RECEPTION, t0);
  retention = new RetentionService({ profile, retentionDays: 30, clock });
  advice = new UntranscribedAdviceQueries(profile.db, profile.repositories);
});

afterEach(() => {
  retention.stop();
  if (!profile.closed) profile.close();
  temp.cleanup();
});

function say(sender: typeof GP, text: string) {
  return storeMessage(profile, { self: RECEPTION, peer: GP, sender, text, sentAt: t0 });
}

describe('untranscribed advice and retention', () => {
  it("lists a clinician's untranscribed advice retentionWarningDays before retention deletes it, then audits the deletion with its id", async () => {
    await retention.start();
    const question = say(RECEPTION, 'Can Mrs X take paracetamol?');
    const answer = say(GP, 'Yes, 1 g four times a day');
    const expiresAt = profile.repositories.messages.get(answer.id)!.expiresAt!;

    // Not yet within the warning period (7 days): not listed.
    expect(advice.expiringWithin(clock.now(), 7)).toEqual([]);
    clock.set(expiresAt - 7 * day);
    const listed = advice.expiringWithin(clock.now(), 7);
    // Only the GP's message is advice; the receptionist's question is not.
    expect(listed).toEqual([
      expect.objectContaining({
        messageId: answer.id,
        conversationId: answer.conversationId,
        senderName: GP.displayName,
        senderRole: 'clinician',
        expiresAt,
        excerpt: 'Yes, 1 g four times a day',
      }),
    ]);

    clock.set(expiresAt);
    await retention.sweep();
    const { messages, audit } = profile.repositories;
    expect(messages.get(answer.id)).toBeNull();
    const entries = audit.list();
    expect(
      entries.find((e) => e.action === 'retention.untranscribed_advice_deleted'),
    ).toMatchObject({
      conversationId: answer.conversationId,
      messageIds: [answer.id],
      details: { count: 1 },
    });
    expect(entries.find((e) => e.action === 'retention.expired_deleted')).toMatchObject({
      messageIds: [question.id, answer.id],
      details: { untranscribedAdvice: 1 },
    });
    expect(JSON.stringify(entries)).not.toContain('paracetamol');
  });

  it('"no record needed" takes advice off the list, audited; transcribed advice is never listed', async () => {
    await retention.start();
    const a = say(GP, 'Fine to give Calpol');
    const b = say(GP, 'See you at 3');
    const c = say(GP, 'Increase to 40 mg');
    profile.repositories.messages.markTranscribed([c.id], GP.accountId, t0);
    expect(advice.markNoRecordNeeded([b.id], RECEPTION.accountId, t0 + 5)).toBe(1);
    // Marking again changes nothing and is not audited twice.
    expect(advice.markNoRecordNeeded([b.id], RECEPTION.accountId, t0 + 6)).toBe(0);
    expect(advice.expiringWithin(t0, 365).map((m) => m.messageId)).toEqual([a.id]);
    const marked = profile.repositories.audit
      .list()
      .filter((e) => e.action === 'advice.no_record_needed');
    expect(marked).toEqual([
      expect.objectContaining({ actorAccountId: RECEPTION.accountId, messageIds: [b.id] }),
    ]);
  });
});
