import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditSentDespitePid,
  sentDespitePidAction,
} from '../../../../main/core/audit/pid-send-guard.js';
import { exportAuditAction } from '../../../../main/core/audit/authorised-export.js';
import {
  auditImagePidAnswer,
  imagePidAnsweredAction,
} from '../../../../main/core/audit/image-pid-answer.js';
import { PracticeAuditForwarder } from '../../../../main/core/audit/practice-audit-forwarder.js';
import {
  auditPatientKeyRotated,
  patientKeyRotatedAction,
} from '../../../../main/core/audit/patient-key-sync.js';
import {
  keepWipeReportCredential,
  reportPasscodeWipe,
  takeWipeReportCredential,
} from '../../../../main/core/audit/wipe-report.js';
import { readPracticeAudit } from '../../../../main/core/audit/practice-audit-reader.js';
import { practiceAuditView } from '../../../../main/core/audit/practice-audit-view.js';
import {
  failedUnlocksAuditAction,
  policyLoadedAuditAction,
  recordUnlockAudit,
} from '../../../../main/core/audit/unlock-audit.js';
import { readRelayAccount } from '../../../../main/core/messaging/relay-account.js';
import { undecryptableDiscardedAction } from '../../../../main/core/messaging/undecryptable-notice.js';
import {
  retentionAdviceAuditAction,
  retentionAuditAction,
} from '../../../../main/core/retention/retention-service.js';
import { noRecordNeededAuditAction } from '../../../../main/core/retention/untranscribed-advice.js';
import { pendingAuditActions } from '../../../../main/core/transcription/pending-deletion-runner.js';
import { transcriptionAuditActions } from '../../../../main/core/transcription/transcription-service.js';
import { defaultPolicy } from '../../../../main/core/policy/policy-schema.js';
import { auditKindLabel } from '../../../../renderer/src/logic/audit-format.js';
import { deviceAuditKinds, type DeviceAuditKind } from '../../../../shared/device-audit-kinds.js';
import { relayAuditKinds, type RelayAuditKind } from '../../../../shared/protocol/index.js';
import { createWorld, type Staff, type World } from '../messaging/messaging-harness.js';

// Every audited kind reaches the practice manager's view of the practice trail: the device kinds
// (shared/device-audit-kinds.ts, which the audit repository's type enforces) sealed by the GP's
// device, sent by its forwarder over a real relay and opened by the manager's device; the relay's
// own kinds recorded by the relay. The table is keyed by every kind, so a kind added to either
// list without a row here fails to compile, and the first test fails too.

type Kind = DeviceAuditKind | RelayAuditKind;

interface Context {
  world: World;
  gp: Staff;
  peer: Staff;
}

const conversationId = 'conv-coverage-0001';
const patientRefHash = 'hmac-sha256:0f1e2d3c4b5a6978';

/** What the writing module appends, under the action constant that module exports. */
function appendAs(
  action: DeviceAuditKind,
  extra: { details?: Record<string, string | number> } = {},
) {
  return ({ gp }: Context) => {
    gp.profile.repositories.audit.append({
      at: Date.now(),
      actorAccountId: gp.accountId,
      action,
      conversationId,
      messageIds: [`msg-${action}`],
      patientRefHash,
      details: extra.details ?? {},
    });
  };
}

/** How each kind is produced: through the code that writes it where it is a call of its own. */
const producers: Record<Kind, (ctx: Context) => void | Promise<void>> = {
  'transcription.confirmed': appendAs(transcriptionAuditActions.confirmed),
  'transcription.undone': appendAs(pendingAuditActions.undone),
  'transcription.copied': appendAs(transcriptionAuditActions.copied),
  'transcription.fhir_saved': appendAs(transcriptionAuditActions.fhirSaved),
  'advice.no_record_needed': appendAs(noRecordNeededAuditAction),
  'message.sent_despite_pid': ({ gp }) => {
    expect(sentDespitePidAction).toBe('message.sent_despite_pid');
    auditSentDespitePid(gp.profile.repositories.audit, {
      at: Date.now(),
      actorAccountId: gp.accountId,
      conversationId,
      messageId: 'msg-pid',
      kinds: ['nhs-number'],
      origin: 'app',
      pidGuard: 'warn',
    });
  },
  'conversation.exported': appendAs(exportAuditAction, { details: { reference: 'SAR-1' } }),
  messages_deleted_for_everyone: appendAs('messages_deleted_for_everyone', {
    details: { origin: 'self' },
  }),
  messages_delete_refused: appendAs('messages_delete_refused'),
  'retention.expired_deleted': appendAs(retentionAuditAction, { details: { count: 3 } }),
  'retention.untranscribed_advice_deleted': appendAs(retentionAdviceAuditAction),
  identity_changed: appendAs('identity_changed'),
  // The messaging core's own call: the GP accepts the peer's safety number.
  identity_acknowledged: ({ gp, peer }) => gp.core.acknowledgeIdentity(peer.accountId),
  undecryptable_envelope_discarded: appendAs(undecryptableDiscardedAction),
  duty_started: appendAs('duty_started', { details: { roleId: 'role-1' } }),
  duty_stopped: appendAs('duty_stopped', { details: { roleId: 'role-1' } }),
  role_message_redirected: appendAs('role_message_redirected', {
    details: { fromRoleId: 'role-1', toRoleId: 'role-2' },
  }),
  role_escalation_copy_skipped: appendAs('role_escalation_copy_skipped'),
  // The unlock's own call records both: the policy, and the four wrong passcodes before it.
  'policy.loaded': () => expect(policyLoadedAuditAction).toBe('policy.loaded'),
  'unlock.failed_burst': ({ gp }) => {
    expect(failedUnlocksAuditAction).toBe('unlock.failed_burst');
    recordUnlockAudit(gp.profile.repositories.audit, {
      at: Date.now(),
      policy: { policy: defaultPolicy, source: 'system', path: null, keysSet: ['pidGuard'] },
      failuresBefore: 4,
      lastFailureAt: Date.now() - 1000,
    });
  },
  'attachment.image_pid_answered': ({ gp }) => {
    expect(imagePidAnsweredAction).toBe('attachment.image_pid_answered');
    auditImagePidAnswer(gp.profile.repositories.audit, {
      at: Date.now(),
      actorAccountId: gp.accountId,
      conversationId,
      messageId: 'msg-image',
      showsPatientDetails: true,
    });
  },
  // What a rotation writes (its relay side is in practice-patient-key.test.ts).
  'audit.patient_key_rotated': ({ gp }) => {
    expect(patientKeyRotatedAction).toBe('audit.patient_key_rotated');
    auditPatientKeyRotated(gp.profile.repositories.audit, {
      at: Date.now(),
      actorAccountId: gp.accountId,
      version: 2,
    });
  },
  // The relay's own records: the GP's enrolment, then a second device revoked with a wipe and
  // told so when it next calls.
  'device.enrolled': () => undefined,
  'device.revoked': async ({ world, gp }) => {
    await world.relay.relay.revoke(gp.accountId, { deviceId: 2, wipe: true });
  },
  // What `pmsg relay set-role` does: the storage's role change, recorded in the same transaction.
  'account.role_changed': async ({ world, gp }) => {
    const changed = await world.relay.relay.storage.changeRole({
      accountId: gp.accountId,
      role: 'nurse',
      now: Date.now(),
    });
    expect(changed).toEqual({ ok: true, from: 'clinician', to: 'nurse' });
  },
  // A spare PC of the GP's erases itself after wrong passcodes and tells the relay with the
  // credential the keychain kept (passcode-wipe-report.test.ts goes through the unlock itself).
  'device.passcode_wiped': async ({ world, gp }) => {
    const spare = await world.enrolWithCode(
      'GP spare PC',
      await world.relay.relay.enrol({ accountId: gp.accountId }).then((c) => c.code),
    );
    await keepWipeReportCredential(world.store, spare.profile);
    const credential = await takeWipeReportCredential(world.store, spare.profile.id);
    expect(credential).not.toBeNull();
    expect(
      await reportPasscodeWipe(world.store, spare.profile.id, credential!, { failures: 5 }),
    ).toBe(true);
  },
  'device.wiped': async ({ world }) => {
    const second = world.staff.find((s) => s.name === 'GP laptop')!;
    await expect(second.core.relay.call('me')).rejects.toMatchObject({ code: 'remote_wipe' });
  },
};

let world: World;
let ctx: Context;
let manager: Staff;

beforeAll(async () => {
  world = await createWorld();
  const enrol = async (name: string, role: 'manager' | 'clinician' | 'reception') =>
    world.enrolWithCode(
      name,
      (await world.relay.relay.enrol({ displayName: name, role, org: 'Riverside Surgery' })).code,
    );
  manager = await enrol('Karen Hughes', 'manager');
  const gp = await enrol('Dr Priya Patel', 'clinician');
  const peer = await enrol('Sam Jones', 'reception');
  // The GP's second device, for the revocation and the wipe.
  await world.enrolWithCode(
    'GP laptop',
    await world.relay.relay.enrol({ accountId: gp.accountId }).then((c) => c.code),
  );
  ctx = { world, gp, peer };
});
afterAll(async () => {
  await world?.cleanup();
});

describe('every audited kind reaches the practice trail', () => {
  it('has a row for every kind on both lists, and words for each on the manager’s screen', () => {
    const kinds = [...deviceAuditKinds, ...relayAuditKinds].sort();
    expect(Object.keys(producers).sort()).toEqual(kinds);
    for (const kind of kinds) {
      // The fallback is the kind with its punctuation as spaces: every kind has its own label.
      expect(auditKindLabel(kind), kind).not.toBe(kind.replace(/[._]/g, ' '));
    }
  });

  it('shows each one in the manager’s view, from the GP’s device or from the relay', async () => {
    for (const kind of Object.keys(producers) as Kind[]) await producers[kind](ctx);
    const account = readRelayAccount(ctx.gp.profile.repositories.settings)!;
    const sent = await new PracticeAuditForwarder(
      ctx.gp.profile.repositories,
      account,
      ctx.gp.core.relay,
    ).flush();
    expect(sent).toBe(deviceAuditKinds.length);

    const managerAccount = readRelayAccount(manager.profile.repositories.settings)!;
    const trail = await readPracticeAudit(
      manager.core.relay,
      manager.profile.repositories,
      managerAccount,
    );
    expect(trail).toMatchObject({ intact: true, brokenAt: null });
    const view = practiceAuditView(trail, manager.profile.repositories, { limit: 500 });
    const missing: string[] = [];
    for (const kind of [...deviceAuditKinds, ...relayAuditKinds]) {
      const entry = view.entries.find(
        (e) => e.action === kind && e.subject.accountId === ctx.gp.accountId,
      );
      if (!entry) {
        missing.push(kind);
        continue;
      }
      expect(entry.readable, kind).toBe(true);
      expect(entry.source, kind).toBe(
        (relayAuditKinds as readonly string[]).includes(kind) ? 'relay' : 'device',
      );
    }
    expect(missing).toEqual([]);
    expect(view.kinds).toEqual(expect.arrayContaining([...deviceAuditKinds, ...relayAuditKinds]));
  });
});
