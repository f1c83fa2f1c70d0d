/**
 * The PID guard where a message leaves: the app's `messages.send` and `pmsg client send` both
 * run the detector again in main (the renderer's live warning is a convenience, not a control)
 * and apply the policy:
 *  - "block": a message with an identifier is refused; a possible patient name only warns.
 *  - "warn" (and possible names under "block"): refused unless the sender confirmed (the app's
 *    "Send anyway", the CLI's --send-despite-pid).
 * Every message sent despite findings is audited with the finding kinds only, never the text.
 */
import {
  findingKinds,
  type PidFinding,
  type PidKind,
} from '../../../shared/clinical/pid-finding.js';
import type { PidDetector } from '../../../shared/clinical/pid-detector.js';
import { MessengerError } from '../../../shared/errors.js';
import type { AuditRepository } from '../db/repositories/audit-repository.js';
import type { Policy } from '../policy/policy-schema.js';

export const sentDespitePidAction = 'message.sent_despite_pid';

export interface PidSendCheck {
  readonly policy: Pick<Policy, 'pidGuard'>;
  readonly detect: PidDetector;
  readonly text: string;
  /** The sender saw the warning and chose to send anyway. */
  readonly sendDespitePid: boolean;
  /** How this sender confirms, for the refusal message: "choose Send anyway", "add --send-despite-pid". */
  readonly howToConfirm: string;
}

/** What was found, in the detector's own labels (no text from the message). */
function foundLabels(findings: readonly PidFinding[]): string {
  return [...new Set(findings.map((f) => f.label))].join(', ');
}

/**
 * Throws `policy_restricted` when the message may not go as it is; otherwise returns the finding
 * kinds to audit (empty when nothing was found).
 */
export function checkPidBeforeSend(check: PidSendCheck): PidKind[] {
  const findings = check.detect(check.text);
  if (findings.length === 0) return [];
  const identifiers = findings.filter((f) => f.severity === 'identifier');
  if (check.policy.pidGuard === 'block' && identifiers.length > 0) {
    throw new MessengerError(
      'policy_restricted',
      `Your practice's policy blocks messages containing patient-identifiable data (found: ${foundLabels(identifiers)}). Remove it, or refer to the patient another way (for example their initials), and send again.`,
      { pidKinds: findingKinds(identifiers), confirmable: false },
    );
  }
  if (!check.sendDespitePid) {
    throw new MessengerError(
      'policy_restricted',
      `This message looks like it contains patient-identifiable data (found: ${foundLabels(findings)}). Remove it, or if it is needed, ${check.howToConfirm}; sending anyway is recorded in the audit log.`,
      { pidKinds: findingKinds(findings), confirmable: true },
    );
  }
  return findingKinds(findings);
}

export interface SentDespitePid {
  readonly at: number;
  readonly actorAccountId: string;
  readonly conversationId: string;
  readonly messageId: string;
  readonly kinds: readonly PidKind[];
  readonly origin: 'app' | 'cli';
  readonly pidGuard: Policy['pidGuard'];
}

/** Records a send-anyway: which kinds were found, never what. Nothing when nothing was found. */
export function auditSentDespitePid(audit: Pick<AuditRepository, 'append'>, sent: SentDespitePid) {
  if (sent.kinds.length === 0) return;
  audit.append({
    at: sent.at,
    actorAccountId: sent.actorAccountId,
    action: sentDespitePidAction,
    conversationId: sent.conversationId,
    messageIds: [sent.messageId],
    details: { pidKinds: sent.kinds.join(','), origin: sent.origin, pidGuard: sent.pidGuard },
  });
}
