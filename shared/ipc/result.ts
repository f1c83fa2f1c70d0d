/**
 * Every IPC answer is a value, never a thrown error: a rejected promise would carry whatever the
 * error object held across the process boundary, a typed result carries only a code and a message.
 */
import { z } from 'zod';
import { errorCodes, type ErrorCode } from '../errors.js';

export const ipcErrorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  /** Set with `too_many_attempts`: how long until the next passcode attempt is accepted. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type IpcError = z.infer<typeof ipcErrorSchema>;

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export function ok<T>(value: T): IpcResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(
  code: ErrorCode,
  message: string,
  retryAfterMs?: number,
): IpcResult<T> {
  return {
    ok: false,
    error: retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs },
  };
}
