/**
 * The whole practice's audit trail for the practice manager: every device's events and the
 * relay's own records (enrolments, revocations, wipes), with the chain's status as this device
 * recomputed it. Never message text; a patient appears as a reference that matches entries about
 * the same patient.
 */
import { useState } from 'react';
import type { ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { Field } from '../../components/Field.js';
import { call, errorMessage, messenger } from '../../api.js';
import { auditKindLabel, practiceAuditRow } from '../../logic/audit-format.js';
import { nhsProblem } from '../../logic/nhs-problem.js';
import { AuditTable } from './AuditTable.js';
import { usePracticeAudit } from './usePracticeAudit.js';

interface Props {
  conversations: readonly ConversationSummary[];
}

export function PracticeAuditTrail({ conversations }: Props) {
  const { filter, setFilter, view, entries, busy, problem, refresh, loadOlder } =
    usePracticeAudit();
  const [patientText, setPatientText] = useState('');
  const patientProblem = nhsProblem(patientText);
  const typePatient = (text: string) => {
    setPatientText(text);
    // Only a valid number (or none) reaches the filter: a mistyped one is never "no entries".
    if (nhsProblem(text) === null) setFilter({ ...filter, patient: text.trim() });
  };

  const [confirmRotate, setConfirmRotate] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [rotated, setRotated] = useState<number | null>(null);
  const [rotateProblem, setRotateProblem] = useState<string | null>(null);
  const rotate = async () => {
    setRotating(true);
    setRotateProblem(null);
    try {
      const { version } = await call(messenger().audit.rotatePatientKey({}));
      setRotated(version);
      setConfirmRotate(false);
      refresh();
    } catch (error) {
      setRotateProblem(errorMessage(error));
    } finally {
      setRotating(false);
    }
  };

  const titleOf = (id: string | null) =>
    id === null ? '—' : (conversations.find((c) => c.id === id)?.title ?? 'Not on this device');

  return (
    <>
      {view &&
        (view.chain.intact ? (
          <p className="audit-chain audit-chain-ok" role="status">
            Chain verified: {view.chain.records} {view.chain.records === 1 ? 'record' : 'records'},
            none missing, altered or out of order.
          </p>
        ) : (
          <p className="alert" role="alert">
            Chain broken at record {view.chain.brokenAt}: a record there or just before it was
            removed, altered or reordered on the relay. Tell your IT support (they can run{' '}
            <code>pmsg relay audit verify</code>).
          </p>
        ))}
      {(problem ?? rotateProblem) && (
        <p className="alert" role="alert">
          {problem ?? rotateProblem}
        </p>
      )}
      {view && (
        <div className="audit-filters">
          <div className="field">
            <label htmlFor="audit-filter-kind">What</label>
            <select
              id="audit-filter-kind"
              value={filter.kind}
              onChange={(e) => setFilter({ ...filter, kind: e.target.value })}
            >
              <option value="">Everything</option>
              {view.kinds.map((kind) => (
                <option key={kind} value={kind}>
                  {auditKindLabel(kind)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-filter-person">Who</label>
            <select
              id="audit-filter-person"
              value={filter.accountId}
              onChange={(e) => setFilter({ ...filter, accountId: e.target.value })}
            >
              <option value="">Everyone</option>
              {view.people.map((p) => (
                <option key={p.accountId} value={p.accountId}>
                  {p.displayName}
                </option>
              ))}
            </select>
          </div>
          <Field
            label="From"
            type="date"
            value={filter.from}
            onChange={(e) => setFilter({ ...filter, from: e.target.value })}
          />
          <Field
            label="To"
            type="date"
            value={filter.to}
            onChange={(e) => setFilter({ ...filter, to: e.target.value })}
          />
          <Field
            label="Patient's NHS number"
            inputMode="numeric"
            autoComplete="off"
            value={patientText}
            error={patientProblem}
            {...(filter.patient
              ? {
                  hint: "Matched by the practice's keyed reference, under every key version: entries from every clinical PC match (a reception PC's only there).",
                }
              : {})}
            onChange={(e) => typePatient(e.target.value)}
          />
        </div>
      )}
      <div className="actions audit-refresh">
        <button type="button" disabled={busy} onClick={refresh}>
          Refresh
        </button>
        {view && !confirmRotate && (
          <button type="button" disabled={rotating} onClick={() => setConfirmRotate(true)}>
            Rotate patient key
          </button>
        )}
      </div>
      {confirmRotate && (
        <div className="audit-rotate" role="group" aria-label="Rotate the patient key">
          <p>
            Make a new patient key for the practice? Clinical PCs get it the next time they connect;
            earlier entries are still found. Do this when someone who held it leaves.
          </p>
          <div className="actions">
            <button type="button" className="primary" disabled={rotating} onClick={rotate}>
              Rotate now
            </button>
            <button type="button" disabled={rotating} onClick={() => setConfirmRotate(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {rotated !== null && (
        <p role="status">Patient key rotated: the practice now uses version {rotated}.</p>
      )}
      {patientProblem && <p>Enter the patient's NHS number in full to see their entries.</p>}
      {!patientProblem && view && entries.length === 0 && !busy && <p>No entries match.</p>}
      {!patientProblem && entries.length > 0 && (
        <AuditTable
          label="Practice audit entries"
          markSeq
          rows={entries.map((entry) => ({
            ...practiceAuditRow(entry),
            conversation: titleOf(entry.conversationId),
          }))}
        />
      )}
      {!patientProblem && loadOlder && (
        <div className="actions">
          <button type="button" disabled={busy} onClick={loadOlder}>
            Load older entries
          </button>
        </div>
      )}
    </>
  );
}
