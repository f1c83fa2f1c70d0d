/**
 * The user's settings from main, kept current by `settings.changed`, and changing one. A change
 * shows at once so the control answers the click; main's answer (or refusal) then wins.
 */
import { useEffect, useState } from 'react';
import type { Settings } from '../../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger, useMessengerEvent } from '../../api.js';

export function useSettings() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [saved, setSaved] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void call(messenger().settings.get())
      .then(setSettings)
      .catch((error: unknown) => setProblem(errorMessage(error)));
  }, []);
  useMessengerEvent('settings.changed', setSettings);

  const change = async (update: Partial<Settings>) => {
    setProblem(null);
    const before = settings;
    setSettings((current) => (current ? { ...current, ...update } : current));
    try {
      setSettings(await call(messenger().settings.set(update)));
      setSaved('Saved.');
    } catch (error) {
      setSettings(before);
      setProblem(errorMessage(error));
    }
  };

  return { settings, saved, problem, change };
}
