/** The device's audit log, newest first, a page at a time ("Load older entries"). */
import { useCallback, useEffect, useState } from 'react';
import type { AuditEntryView } from '../../../../shared/ipc/clinical-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';

const pageSize = 50;

export function useAuditLog() {
  const [entries, setEntries] = useState<AuditEntryView[]>([]);
  const [nextBeforeId, setNextBeforeId] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(async (beforeId: number | null) => {
    setBusy(true);
    try {
      const page = await call(
        messenger().audit.list({ limit: pageSize, ...(beforeId ? { beforeId } : {}) }),
      );
      setEntries((current) => (beforeId ? [...current, ...page.entries] : page.entries));
      setNextBeforeId(page.nextBeforeId);
      setLoaded(true);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => void load(null), [load]);

  return {
    entries,
    loaded,
    busy,
    problem,
    /** Undefined once the oldest entry is shown. */
    loadOlder: nextBeforeId !== null ? () => void load(nextBeforeId) : undefined,
  };
}
