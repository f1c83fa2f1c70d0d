/**
 * The safety number with one person (digits and QR payload, computed by main from both identity
 * keys) and acknowledging that it changed.
 */
import { useEffect, useState } from 'react';
import type { MethodResponse } from '../../../../shared/ipc/contract.js';
import { call, errorMessage, messenger } from '../../api.js';

export type SafetyNumber = MethodResponse<'safetyNumber.get'>;

export function useSafetyNumber(accountId: string, onAcknowledged: () => void) {
  const [safety, setSafety] = useState<SafetyNumber | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void call(messenger().safetyNumber.get({ accountId }))
      .then(setSafety)
      .catch((error: unknown) => setProblem(errorMessage(error)));
  }, [accountId]);

  const acknowledge = async () => {
    try {
      await call(messenger().identity.acknowledge({ accountId }));
      setSafety((s) => (s ? { ...s, identityChanged: false } : s));
      onAcknowledged();
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  return { safety, problem, acknowledge };
}
