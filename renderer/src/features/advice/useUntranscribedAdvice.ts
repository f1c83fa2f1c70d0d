/**
 * Clinicians' advice on this device that is in no record and that retention deletes soon, and
 * marking an item "no record needed" (audited by main). Every fresh count goes to `onChanged`
 * so the top bar's button agrees with the list.
 */
import { useEffect, useState } from 'react';
import type { MethodResponse } from '../../../../shared/ipc/contract.js';
import { call, errorMessage, messenger } from '../../api.js';

export type AdviceList = MethodResponse<'advice.untranscribed'>;

export function useUntranscribedAdvice(onChanged: (count: number) => void) {
  const [list, setList] = useState<AdviceList | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const load = async () => {
    const next = await call(messenger().advice.untranscribed());
    setList(next);
    onChanged(next.items.length);
  };
  useEffect(() => {
    load().catch((error: unknown) => setProblem(errorMessage(error)));
  }, []);

  const noRecordNeeded = async (messageId: string) => {
    setProblem(null);
    try {
      await call(messenger().advice.markNoRecordNeeded({ messageIds: [messageId] }));
      await load();
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  return { list, problem, noRecordNeeded };
}
