/**
 * This person's devices (PCs) as the relay lists them, and removing one after the user confirmed
 * it. The list is read again after a removal, so it shows what the relay now holds.
 */
import { useCallback, useEffect, useState } from 'react';
import type { MethodResponse } from '../../../../shared/ipc/contract.js';
import { call, errorMessage, messenger, useMessengerEvent } from '../../api.js';

export type OwnDevice = MethodResponse<'devices.list'>['devices'][number];

export function useOwnDevices() {
  const [devices, setDevices] = useState<OwnDevice[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setDevices((await call(messenger().devices.list({}))).devices);
      setProblem(null);
    } catch (error) {
      setProblem(errorMessage(error));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);
  // Removed from another of the person's devices while this list is open.
  useMessengerEvent('devices.changed', () => void load());

  const remove = async (device: OwnDevice) => {
    setBusy(true);
    try {
      await call(messenger().devices.remove({ deviceId: device.deviceId }));
      setDone(`${deviceLabel(device)} was removed.`);
      await load();
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return { devices, problem, done, busy, remove, reload: load };
}

export function deviceLabel(device: OwnDevice): string {
  return device.name ?? `Device ${device.deviceId}`;
}
