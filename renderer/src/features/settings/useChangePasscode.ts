/**
 * Changing the profile's passcode: the three fields, checked here for the obvious mistakes, then
 * main re-keys the profile. The fields are emptied once it worked.
 */
import { useState } from 'react';
import { call, errorMessage, messenger } from '../../api.js';
import { passcodeChangeProblem } from '../../logic/settings-choices.js';

export function useChangePasscode() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const problem = passcodeChangeProblem(current, next, confirm);
    if (problem) {
      setMessage({ ok: false, text: problem });
      return;
    }
    setBusy(true);
    try {
      await call(
        messenger().profiles.changePasscode({ currentPasscode: current, newPasscode: next }),
      );
      setMessage({ ok: true, text: 'Passcode changed. Use the new one next time you unlock.' });
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (error) {
      setMessage({ ok: false, text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return { current, setCurrent, next, setNext, confirm, setConfirm, message, busy, submit };
}
