/**
 * How many items of clinicians' advice retention deletes soon without them being in any record,
 * for the top bar. Counted again whenever a message changes (transcribed, marked) or goes.
 */
import { useCallback, useEffect, useState } from 'react';
import { call, messenger, useMessengerEvent } from '../../api.js';

export function useAdviceDue(): [number, (count: number) => void] {
  const [adviceDue, setAdviceDue] = useState(0);
  const refresh = useCallback(() => {
    // Only a hint on a button: a failed count leaves the last one rather than alarming anyone.
    void call(messenger().advice.untranscribed())
      .then((list) => setAdviceDue(list.items.length))
      .catch(() => undefined);
  }, []);
  useEffect(refresh, []);
  useMessengerEvent('message.updated', refresh);
  useMessengerEvent('messages.deleted', refresh);
  return [adviceDue, setAdviceDue];
}
