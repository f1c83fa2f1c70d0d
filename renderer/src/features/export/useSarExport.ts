/**
 * The part every Subject Access Request export shares: the passcode asked again (so an unlocked,
 * unattended PC is not enough) and cleared after every attempt whatever happened, an optional
 * practice reference sent trimmed and only when given, one attempt at a time, and the problem or
 * the result to show. What is exported, and any check before the passcode, are the caller's.
 */
import { useState, type FormEvent } from 'react';
import type { IpcResult } from '../../../../shared/ipc/result.js';
import { call, errorMessage } from '../../api.js';

/** What an export call gets from the form: the passcode and, if typed, the reference. */
export interface SarCredentials {
  passcode: string;
  reference?: string;
}

export function useSarExport<Result>(
  send: (credentials: SarCredentials) => Promise<IpcResult<Result>>,
  /** A problem with the caller's own fields, checked before the passcode; null when none. */
  precheck: () => string | null = () => null,
) {
  const [passcode, setPasscode] = useState('');
  const [reference, setReference] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);

  const submit = async () => {
    const before = precheck();
    if (before) {
      setProblem(before);
      return;
    }
    if (passcode === '') {
      setProblem('Type your passcode to confirm it is you.');
      return;
    }
    setBusy(true);
    setProblem(null);
    setResult(null);
    try {
      const trimmed = reference.trim();
      setResult(await call(send({ passcode, ...(trimmed ? { reference: trimmed } : {}) })));
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setPasscode('');
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit();
  };

  return { passcode, setPasscode, reference, setReference, busy, problem, result, onSubmit };
}
