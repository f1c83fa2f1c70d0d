/**
 * Exporting one conversation for a Subject Access Request. The passcode is asked again so an
 * unlocked, unattended PC is not enough; it is cleared after every attempt, whatever happened.
 */
import { useState } from 'react';
import type { MethodResponse } from '../../../../shared/ipc/contract.js';
import { call, errorMessage, messenger } from '../../api.js';

export type Exported = MethodResponse<'export.conversation'>;

export function useConversationExport(conversationId: string) {
  const [passcode, setPasscode] = useState('');
  const [reference, setReference] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<Exported | null>(null);

  const submit = async () => {
    if (passcode === '') {
      setProblem('Type your passcode to confirm it is you.');
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const trimmed = reference.trim();
      const exported = await call(
        messenger().export.conversation({
          conversationId,
          passcode,
          ...(trimmed ? { reference: trimmed } : {}),
        }),
      );
      setResult(exported);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setPasscode('');
      setBusy(false);
    }
  };

  return { passcode, setPasscode, reference, setReference, busy, problem, result, submit };
}
