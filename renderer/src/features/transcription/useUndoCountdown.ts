/** Seconds left in the undo window, ticking; calls `onElapsed` once when it reaches zero. */
import { useEffect, useState } from 'react';
import { undoSecondsLeft } from '../../logic/transcription-confirm-step.js';

export function useUndoCountdown(undoUntil: number, onElapsed: () => void): number {
  const left = () => undoSecondsLeft(undoUntil, Date.now());
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    // A quarter second: the displayed count never lags a whole second behind.
    const timer = setInterval(() => {
      const now = left();
      setSeconds(now);
      if (now === 0) {
        clearInterval(timer);
        onElapsed();
      }
    }, 250);
    return () => clearInterval(timer);
  }, []);
  return seconds;
}
