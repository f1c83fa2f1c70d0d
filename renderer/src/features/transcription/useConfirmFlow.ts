/**
 * Confirming that the entry is in the record: ask main what would be deleted, confirm (which
 * audits it and opens the undo window), or undo before the deletion goes out.
 */
import { useReducer, useState } from 'react';
import type { TranscriptionFormInput } from '../../../../shared/ipc/clinical-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';
import {
  firstConfirmStep,
  nextConfirmStep,
  type ConfirmStep,
} from '../../logic/transcription-confirm-step.js';

export interface ConfirmFlow {
  step: ConfirmStep;
  busy: boolean;
  problem: string | null;
  /** The clinician put the entry in the record without copying or saving it from here. */
  enteredAnotherWay: boolean;
  setEnteredAnotherWay(value: boolean): void;
  ask(): Promise<void>;
  confirm(): Promise<void>;
  undo(auditId: number): Promise<void>;
  back(): void;
}

export function useConfirmFlow(form: TranscriptionFormInput): ConfirmFlow {
  const [step, dispatch] = useReducer(nextConfirmStep, firstConfirmStep);
  const [enteredAnotherWay, setEnteredAnotherWay] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await work();
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  const ask = () =>
    run(async () => {
      const scope = await call(
        messenger().transcription.scope({
          conversationId: form.conversationId,
          messageIds: [...form.messageIds],
        }),
      );
      dispatch({ kind: 'asked', scope });
    });
  const confirm = () =>
    run(async () => {
      const result = await call(messenger().transcription.confirm({ form, enteredAnotherWay }));
      dispatch({ kind: 'confirmed', result });
    });
  const undo = (auditId: number) =>
    run(async () => {
      await call(messenger().transcription.undo({ auditId }));
      dispatch({ kind: 'undone' });
    });
  const back = () => dispatch({ kind: 'back' });

  return { step, busy, problem, enteredAnotherWay, setEnteredAnotherWay, ask, confirm, undo, back };
}
