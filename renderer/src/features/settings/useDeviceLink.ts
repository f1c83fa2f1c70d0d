/**
 * Linking a new PC from this one: a one-time code (with its QR code), then, while it is shown,
 * asking the relay every two seconds whether a PC has entered it, so "Room 7 PC wants to join"
 * appears by itself; Approve or Refuse decides.
 */
import { useCallback, useEffect, useState } from 'react';
import type { MethodResponse } from '../../../../shared/ipc/contract.js';
import { call, errorMessage, messenger } from '../../api.js';

export type LinkCode = MethodResponse<'devices.link'>;
export type LinkStatus = NonNullable<MethodResponse<'devices.linkStatus'>['link']>;

const pollMs = 2_000;

export function useDeviceLink(onAdded: () => void) {
  const [code, setCode] = useState<LinkCode | null>(null);
  const [status, setStatus] = useState<LinkStatus | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);

  const start = async () => {
    setBusy(true);
    setProblem(null);
    setDone('');
    try {
      setCode(await call(messenger().devices.link({})));
      setStatus(null);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const cancel = () => {
    setCode(null);
    setStatus(null);
  };

  const finish = useCallback(
    (link: LinkStatus) => {
      const name = link.asking?.deviceName ?? 'The new PC';
      if (link.state === 'approved' || link.state === 'used') {
        setDone(`${name} was added to your devices.`);
        onAdded();
      } else if (link.state === 'refused') {
        setDone(`${name} was refused.`);
      } else if (link.state === 'expired') {
        setProblem('The link code expired before it was used. Make a new one.');
      }
      setCode(null);
      setStatus(null);
    },
    [onAdded],
  );

  const poll = useCallback(async () => {
    try {
      const { link } = await call(messenger().devices.linkStatus({}));
      if (link === null) return;
      if (link.state === 'open' || link.state === 'requested') setStatus(link);
      else finish(link);
    } catch (error) {
      setProblem(errorMessage(error));
    }
  }, [finish]);

  useEffect(() => {
    if (code === null) return undefined;
    const timer = setInterval(() => void poll(), pollMs);
    return () => clearInterval(timer);
  }, [code, poll]);

  const decide = async (approve: boolean) => {
    setBusy(true);
    try {
      finish((await call(messenger().devices.decideLink({ approve }))).link);
    } catch (error) {
      setProblem(errorMessage(error));
      setCode(null);
      setStatus(null);
    } finally {
      setBusy(false);
    }
  };

  return { code, status, problem, done, busy, start, cancel, decide };
}
