/**
 * What the open conversation tells the user about its own actions: one problem at a time (an
 * alert) and a status line read out by screen readers. Announced from here rather than from each
 * row: a live region inside a row would speak again whenever the windowed list re-mounts it.
 */
import { useCallback, useState } from 'react';
import { errorMessage } from '../../api.js';

export interface Feedback {
  problem: string | null;
  status: string;
  /** Shows what went wrong, in main's words for the user. */
  fail(error: unknown): void;
  announce(text: string): void;
  clearProblem(): void;
}

export function useFeedback(): Feedback {
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const fail = useCallback((error: unknown) => setProblem(errorMessage(error)), []);
  const clearProblem = useCallback(() => setProblem(null), []);
  return { problem, status, fail, announce: setStatus, clearProblem };
}
