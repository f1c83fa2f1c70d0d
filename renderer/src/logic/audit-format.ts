/**
 * Audit events in words for the practice manager: who, when, what, about which conversation and
 * how many messages. Only the event's own fields are used: the log never holds message text, and
 * the patient appears as a keyed hash that matches entries about one patient but reveals nothing.
 */
import type {
  AuditEntryView,
  PracticeAuditEntryView,
} from '../../../shared/ipc/clinical-schemas.js';
import { formatWhen, roleLabel } from './format.js';

export interface AuditRow {
  id: number;
  when: string;
  who: string;
  what: string;
  messages: string;
  /** The first characters of the patient hash, to match entries about the same patient. */
  patientRef: string | null;
}

function count(n: number, one: string, many: string): string {
  return n === 1 ? `1 ${one}` : `${n} ${many}`;
}

function detail(entry: AuditEntryView, key: string): string | number | boolean | null {
  return entry.details[key] ?? null;
}

export function describeAuditAction(entry: AuditEntryView): string {
  switch (entry.action) {
    case 'transcription.confirmed': {
      const deleteAt = detail(entry, 'deleteAt');
      return detail(entry, 'originals') === 'delete_later' && typeof deleteAt === 'number'
        ? `Entered advice into a patient record; originals to be deleted everywhere at ${formatWhen(deleteAt)}`
        : 'Entered advice into a patient record; originals deleted everywhere';
    }
    case 'transcription.fhir_saved':
      return 'Saved a record entry as a FHIR file';
    case 'transcription.copied':
      return 'Copied a record entry to paste into a patient record';
    case 'transcription.undone':
      return 'Undid a transcription confirmation before anything was deleted';
    case 'advice.no_record_needed':
      return 'Marked advice "no record needed"';
    case 'retention.untranscribed_advice_deleted':
      return "Deleted clinicians' advice that was never transcribed (retention policy)";
    case 'messages_delete_refused':
      return "Refused the other person's request to delete messages they did not write";
    case 'conversation.exported': {
      const reference = detail(entry, 'reference');
      return typeof reference === 'string' && reference !== ''
        ? `Exported the conversation for a Subject Access Request (reference ${reference})`
        : 'Exported the conversation for a Subject Access Request';
    }
    case 'retention.expired_deleted':
      return 'Deleted expired messages (retention policy or disappearing messages)';
    case 'messages_deleted_for_everyone': {
      const why = detail(entry, 'reason') === 'transcribed' ? ' after transcription' : '';
      return detail(entry, 'origin') === 'peer'
        ? `Messages deleted from this device by the other person${why}`
        : `Deleted messages on every device${why}`;
    }
    case 'message.sent_despite_pid': {
      const kinds = detail(entry, 'pidKinds');
      const what =
        typeof kinds === 'string' && kinds !== ''
          ? ` (${kinds.split(',').map(pidKindWords).join(', ')})`
          : '';
      return `Sent a message despite the patient-identifiable data warning${what}${detail(entry, 'origin') === 'cli' ? ', from the command line' : ''}`;
    }
    case 'identity_changed':
      return "A colleague's safety number changed";
    case 'identity_acknowledged':
      return 'Accepted a changed safety number';
    case 'undecryptable_envelope_discarded':
      return 'Removed a message that could not be decrypted (a notice asks to send it again)';
    case 'duty_started':
      return 'Went on duty in a role';
    case 'duty_stopped':
      return 'Came off duty in a role';
    case 'role_message_redirected':
      return 'Sent a role message to the escalation role, with nobody on duty';
    case 'role_escalation_copy_skipped':
      return 'Could not prepare the escalation copy for one holder of the escalation role';
    case 'policy.loaded': {
      if (detail(entry, 'source') === 'defaults') {
        return 'Unlocked with no practice policy installed (the defaults)';
      }
      const keys = detail(entry, 'keysSet');
      return typeof keys === 'string' && keys !== ''
        ? `Unlocked under the practice's policy, setting ${keys.split(',').join(', ')}`
        : "Unlocked under the practice's policy";
    }
    case 'unlock.failed_burst': {
      const failures = detail(entry, 'failures');
      return `${typeof failures === 'number' ? failures : 'Several'} wrong passcodes typed before this unlock`;
    }
    case 'attachment.image_pid_answered':
      return detail(entry, 'showsPatientDetails') === 'yes'
        ? 'Sent an image, saying it shows patient details'
        : 'Sent an image, saying it shows no patient details';
    case 'audit.patient_key_rotated': {
      const version = detail(entry, 'version');
      return `Rotated the practice's patient-reference key${typeof version === 'number' ? ` (now version ${version})` : ''}`;
    }
    // The relay's own records (docs/protocol.md §13): about a device, by whoever ran the command.
    case 'device.enrolled':
      return `${relaySubject(entry)} enrolled`;
    case 'device.revoked':
      return detail(entry, 'wipe') === true
        ? `${relaySubject(entry)} revoked, to be erased when it next connects`
        : `${relaySubject(entry)} revoked`;
    case 'device.wiped':
      return `${relaySubject(entry)} told to erase its data (remote wipe)`;
    case 'device.passcode_wiped': {
      const failures = detail(entry, 'failures');
      return `${relaySubject(entry)} erased itself after ${typeof failures === 'number' ? failures : 'too many'} wrong passcodes, and was revoked`;
    }
    case 'account.role_changed': {
      const name = detail(entry, 'displayName');
      const from = detail(entry, 'previousRole');
      const to = detail(entry, 'role');
      return `${typeof name === 'string' ? `${name}'s` : 'A'} role changed from ${roleLabel(typeof from === 'string' ? from : null)} to ${roleLabel(typeof to === 'string' ? to : null)}`;
    }
    case 'unreadable':
      return 'A record this device cannot open (sealed before it could read the practice trail)';
    case 'sender_mismatch':
      return 'A record claiming to be from another device (not believed)';
    default:
      return entry.action.replace(/[._]/g, ' ');
  }
}

function relaySubject(entry: AuditEntryView): string {
  const name = detail(entry, 'displayName');
  const device = detail(entry, 'deviceId');
  return `${typeof name === 'string' ? `${name}'s device` : 'A device'}${typeof device === 'number' ? ` ${device}` : ''}`;
}

/** A kind on its own, for the practice trail's filter. */
const kindLabels: Readonly<Record<string, string>> = {
  'transcription.confirmed': 'Transcription confirmed',
  'transcription.undone': 'Transcription undone',
  'transcription.copied': 'Record entry copied',
  'transcription.fhir_saved': 'Record entry saved (FHIR)',
  'advice.no_record_needed': 'Advice marked "no record needed"',
  'message.sent_despite_pid': 'Sent despite the PID warning',
  'conversation.exported': 'Conversation exported (SAR)',
  messages_deleted_for_everyone: 'Messages deleted for everyone',
  messages_delete_refused: 'Deletion refused',
  'retention.expired_deleted': 'Expired messages deleted (retention)',
  'retention.untranscribed_advice_deleted': 'Untranscribed advice deleted (retention)',
  identity_changed: 'Safety number changed',
  identity_acknowledged: 'Safety number accepted',
  undecryptable_envelope_discarded: 'Undecryptable message removed',
  duty_started: 'Duty started',
  duty_stopped: 'Duty stopped',
  role_message_redirected: 'Role message sent to the escalation role',
  role_escalation_copy_skipped: 'Escalation copy not prepared',
  'policy.loaded': 'Policy loaded at unlock',
  'unlock.failed_burst': 'Wrong passcodes before an unlock',
  'attachment.image_pid_answered': 'Image sent: patient details question answered',
  'audit.patient_key_rotated': 'Patient-reference key rotated',
  'device.enrolled': 'Device enrolled',
  'device.revoked': 'Device revoked',
  'device.wiped': 'Device wiped',
  'device.passcode_wiped': 'Device erased after wrong passcodes',
  'account.role_changed': 'Role changed',
  unreadable: 'Records this device cannot open',
  sender_mismatch: 'Records from another device (not believed)',
};

export function auditKindLabel(kind: string): string {
  return kindLabels[kind] ?? kind.replace(/[._]/g, ' ');
}

const pidKindNames: Readonly<Record<string, string>> = {
  'nhs-number': 'NHS number',
  'hospital-number': 'hospital number',
  'ni-number': 'NI number',
  email: 'email address',
  'phone-number': 'phone number',
  date: 'date or date of birth',
  postcode: 'postcode',
  address: 'street address',
  'patient-name': 'possible patient name',
};

function pidKindWords(kind: string): string {
  return pidKindNames[kind] ?? kind;
}

function messageCount(entry: AuditEntryView): number {
  if (entry.messageIds.length > 0) return entry.messageIds.length;
  const counted = detail(entry, 'count') ?? detail(entry, 'messageCount');
  return typeof counted === 'number' ? counted : 0;
}

/** "hmac-sha256:3f2a91c0…" -> "3F2A 91C0": enough to match entries by eye, nothing more. */
function shortPatientRef(hash: string): string {
  const hex = (hash.split(':').pop() ?? '').slice(0, 8).toUpperCase();
  return `${hex.slice(0, 4)} ${hex.slice(4)}`.trim();
}

export function auditRow(entry: AuditEntryView): AuditRow {
  const n = messageCount(entry);
  return {
    id: entry.id,
    when: formatWhen(entry.at),
    who: entry.actor
      ? `${entry.actor.displayName}${entry.actor.role ? ` (${roleLabel(entry.actor.role)})` : ''}`
      : 'Practice Messenger (automatic)',
    what: describeAuditAction(entry),
    messages: n === 0 ? '—' : count(n, 'message', 'messages'),
    patientRef: entry.patientRefHash ? shortPatientRef(entry.patientRefHash) : null,
  };
}

export interface PracticeAuditRow extends AuditRow {
  /** Which device the record came from ("on device 2", "on Sam Jones's device 1"); null for the relay's. */
  device: string | null;
}

/** A row of the practice trail: as the device log's, plus which device the record came from. */
export function practiceAuditRow(entry: PracticeAuditEntryView): PracticeAuditRow {
  const row = auditRow(entry);
  const { subject } = entry;
  if (entry.source === 'relay') {
    return { ...row, who: 'The relay (an IT command, or the device told)', device: null };
  }
  const own = entry.actor?.accountId === subject.accountId;
  return {
    ...row,
    who:
      entry.actor !== null
        ? row.who
        : `${subject.displayName}${subject.role ? ` (${roleLabel(subject.role)})` : ''}, automatically`,
    device:
      own || entry.actor === null
        ? `on device ${subject.deviceId}`
        : `on ${subject.displayName}'s device ${subject.deviceId}`,
  };
}
