/**
 * The practice-wide audit trail (main reads it from the relay and checks the chain): newest
 * first, filtered by kind, person, date and patient, a page at a time ("Load older entries").
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  PracticeAuditEntryView,
  PracticeAuditView,
} from '../../../../shared/ipc/clinical-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';
import { auditTimeBounds } from '../../logic/audit-time-bounds.js';

const pageSize = 100;

export interface PracticeAuditFilter {
  /** An action kind, or '' for every kind. */
  kind: string;
  /** An account id, or '' for everyone. */
  accountId: string;
  /** Days as a date input gives them (yyyy-mm-dd, this PC's time zone), or '' for no bound. */
  from: string;
  to: string;
  /** A valid NHS number, or '' for every patient (the screen checks it before it lands here). */
  patient: string;
}

export function usePracticeAudit() {
  const [filter, setFilter] = useState<PracticeAuditFilter>({
    kind: '',
    accountId: '',
    from: '',
    to: '',
    patient: '',
  });
  const [view, setView] = useState<Omit<PracticeAuditView, 'entries'> | null>(null);
  const [entries, setEntries] = useState<PracticeAuditEntryView[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  // The first read of this view checks the whole chain; later ones only what is new.
  const opened = useRef(false);
  const load = useCallback(async (current: PracticeAuditFilter, beforeSeq: number | null) => {
    const fresh = !opened.current;
    opened.current = true;
    setBusy(true);
    setProblem(null);
    try {
      const page = await call(
        messenger().audit.practice({
          limit: pageSize,
          ...(current.kind ? { kind: current.kind } : {}),
          ...(current.accountId ? { accountId: current.accountId } : {}),
          ...auditTimeBounds(current),
          ...(current.patient ? { patientNhsNumber: current.patient } : {}),
          ...(beforeSeq ? { beforeSeq } : {}),
          ...(fresh ? { fresh: true } : {}),
        }),
      );
      setEntries((shown) => (beforeSeq ? [...shown, ...page.entries] : page.entries));
      setView(page);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => void load(filter, null), [load, filter]);

  return {
    filter,
    setFilter,
    view,
    entries,
    busy,
    problem,
    /** Reads the trail again from the newest entry (other devices send theirs every few seconds). */
    refresh: () => void load(filter, null),
    /** Undefined once the oldest matching entry is shown. */
    loadOlder:
      view?.nextBeforeSeq != null ? () => void load(filter, view.nextBeforeSeq) : undefined,
  };
}
