/**
 * Every kind of audit event a device records (main/core/db/repositories/audit-repository.ts types
 * `action` with this list, so a new kind cannot be written without being added here). Each goes
 * to the practice trail sealed (docs/protocol.md §13); the relay adds its own kinds
 * (`relayAuditKinds`). tests/main/core/audit/practice-audit-coverage.test.ts shows every kind on
 * both lists reaching the practice manager's view, and fails for a kind added without a row.
 */
export const deviceAuditKinds = [
  'transcription.confirmed',
  'transcription.undone',
  'transcription.copied',
  'transcription.fhir_saved',
  'advice.no_record_needed',
  'message.sent_despite_pid',
  'conversation.exported',
  'messages_deleted_for_everyone',
  'messages_delete_refused',
  'retention.expired_deleted',
  'retention.untranscribed_advice_deleted',
  'identity_changed',
  'identity_acknowledged',
  'undecryptable_envelope_discarded',
  'duty_started',
  'duty_stopped',
  'role_message_redirected',
  'role_escalation_copy_skipped',
  'policy.loaded',
  'unlock.failed_burst',
  'attachment.image_pid_answered',
  'audit.patient_key_rotated',
] as const;

export type DeviceAuditKind = (typeof deviceAuditKinds)[number];
