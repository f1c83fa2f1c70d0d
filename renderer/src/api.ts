/**
 * The renderer's way to call main: unwraps the `{ok, value} | {ok:false, error}` answer into a
 * value or a thrown UiError whose message main wrote for the user, and subscribes to events.
 */
import { useEffect, useRef } from 'react';
import type { EventPayload } from '../../shared/ipc/contract.js';
import type { EventName } from '../../shared/ipc/names.js';
import type { IpcError, IpcResult } from '../../shared/ipc/result.js';

export class UiError extends Error {
  readonly code: IpcError['code'];
  readonly retryAfterMs: number | undefined;
  constructor(error: IpcError) {
    super(error.message);
    this.code = error.code;
    this.retryAfterMs = error.retryAfterMs;
  }
}

export const messenger = () => window.messenger;

export async function call<T>(answer: Promise<IpcResult<T>>): Promise<T> {
  const result = await answer;
  if (!result.ok) throw new UiError(result.error);
  return result.value;
}

export function errorMessage(error: unknown): string {
  if (error instanceof UiError) return error.message;
  return 'Something went wrong. Try again, or restart the app.';
}

/** Subscribes for the component's lifetime; the latest listener is always the one called. */
export function useMessengerEvent<E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void,
): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => window.messenger.on(event, (payload) => latest.current(payload)), [event]);
}
