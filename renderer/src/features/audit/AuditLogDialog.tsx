/**
 * The audit log for the practice manager (main refuses everyone else with `forbidden`, whatever
 * this screen does): the whole practice's trail from the relay by default, or what was done on
 * this device; newest first, a page at a time.
 */
import { useState } from 'react';
import type { ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { Dialog } from '../../components/Dialog.js';
import { auditRow } from '../../logic/audit-format.js';
import { PatientExport } from '../export/PatientExport.js';
import { AuditTable } from './AuditTable.js';
import { PracticeAuditTrail } from './PracticeAuditTrail.js';
import { useAuditLog } from './useAuditLog.js';

interface Props {
  conversations: readonly ConversationSummary[];
  onClose(): void;
}

type Scope = 'practice' | 'device' | 'patient';

export function AuditLogDialog({ conversations, onClose }: Props) {
  const [scope, setScope] = useState<Scope>('practice');
  return (
    <Dialog title="Audit log" onClose={onClose} wide>
      <fieldset className="radios audit-scope">
        <legend>Show</legend>
        {(
          [
            ['practice', 'The whole practice (every device, from the relay)'],
            ['device', 'This device only'],
            ['patient', 'Subject access by patient (export)'],
          ] as const
        ).map(([value, label]) => (
          <label className="radio" key={value}>
            <input
              type="radio"
              name="audit-scope"
              checked={scope === value}
              onChange={() => setScope(value)}
            />
            <span>{label}</span>
          </label>
        ))}
      </fieldset>
      {scope === 'practice' ? (
        <>
          <p className="hint">
            What was done across the practice, newest first: transcriptions, record entries copied
            or saved, exports, deletions, safety numbers, and devices enrolled, revoked or wiped. It
            never shows message text; a patient appears as a reference that matches entries about
            the same patient.
          </p>
          <PracticeAuditTrail conversations={conversations} />
        </>
      ) : scope === 'device' ? (
        <DeviceAuditLog conversations={conversations} />
      ) : (
        <PatientExport />
      )}
    </Dialog>
  );
}

function DeviceAuditLog({ conversations }: { conversations: readonly ConversationSummary[] }) {
  const { entries, loaded, busy, problem, loadOlder } = useAuditLog();

  const titleOf = (id: string | null) =>
    id === null
      ? '—'
      : (conversations.find((c) => c.id === id)?.title ??
        'A conversation no longer on this device');

  return (
    <>
      <p className="hint">
        What was done on this device, newest first: transcriptions into patient records, deleted and
        exported conversations, safety-number changes. It never shows message text; a patient
        appears as a reference that matches entries about the same patient.
      </p>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {loaded && entries.length === 0 && <p>Nothing has been recorded yet.</p>}
      {entries.length > 0 && (
        <AuditTable
          label="Audit entries"
          rows={entries.map((entry) => ({
            ...auditRow(entry),
            conversation: titleOf(entry.conversationId),
          }))}
        />
      )}
      {loadOlder && (
        <div className="actions">
          <button type="button" disabled={busy} onClick={loadOlder}>
            Load older entries
          </button>
        </div>
      )}
    </>
  );
}
