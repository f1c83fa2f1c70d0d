/**
 * The question asked before an image is sent: "Does this show patient details? It will be
 * end-to-end encrypted and deleted with the conversation". A photo of a rash or a screenshot of a
 * result carries patient details the text detector cannot see, so the sender says so; main
 * refuses an image without an answer (the renderer's dialog is a convenience, not the control)
 * unless the policy `askImagePatientDetails` turns the question off. The answer is audited, the
 * answer only: never the image, its name or the caption.
 */
import { MessengerError } from '../../../shared/errors.js';
import type { AuditRepository } from '../db/repositories/audit-repository.js';
import type { Policy } from '../policy/policy-schema.js';

export const imagePidAnsweredAction = 'attachment.image_pid_answered';

export const imagePidQuestion =
  'Does this show patient details? It will be end-to-end encrypted and deleted with the conversation.';

/** true: it shows patient details; false: it does not; null: not asked. */
export type ImagePidAnswer = boolean | null;

/**
 * The answer to audit, or null when the question does not apply (not an image, or the policy
 * turned it off). Throws `invalid_input` for an image sent without an answer.
 */
export function checkImagePidAnswer(
  policy: Pick<Policy, 'askImagePatientDetails'>,
  type: string,
  answer: ImagePidAnswer,
): boolean | null {
  if (!type.startsWith('image/') || !policy.askImagePatientDetails) return null;
  if (answer === null) {
    throw new MessengerError(
      'invalid_input',
      `Before sending an image, answer: ${imagePidQuestion} (imageShowsPatientDetails: true or false).`,
    );
  }
  return answer;
}

export interface ImagePidAnswered {
  readonly at: number;
  readonly actorAccountId: string;
  readonly conversationId: string;
  readonly messageId: string;
  readonly showsPatientDetails: boolean;
}

export function auditImagePidAnswer(
  audit: Pick<AuditRepository, 'append'>,
  answered: ImagePidAnswered,
): void {
  audit.append({
    at: answered.at,
    actorAccountId: answered.actorAccountId,
    action: imagePidAnsweredAction,
    conversationId: answered.conversationId,
    messageIds: [answered.messageId],
    details: { showsPatientDetails: answered.showsPatientDetails ? 'yes' : 'no' },
  });
}
