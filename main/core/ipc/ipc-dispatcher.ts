/**
 * Validates a request against the contract, enforces the lock, calls the handler, and turns
 * whatever happens into a typed `IpcResult`. It knows nothing of Electron, so the Electron shell
 * and the browser test harness run the very same checks.
 */
import type { z } from 'zod';
import { isMessengerError } from '../../../shared/errors.js';
import type { Methods, ParsedRequest } from '../../../shared/ipc/contract.js';
import { isMethodName, type MethodName } from '../../../shared/ipc/names.js';
import { fail, ok, type IpcResult } from '../../../shared/ipc/result.js';
import { createLogger, type Logger } from '../log/logger.js';
import { describeError } from '../../../shared/describe-error.js';

/** What a handler returns: the response schema's input, so main may rely on its defaults. */
export type HandlerResult<M extends MethodName> = z.input<Methods[M]['response']>;
export type MethodHandler<M extends MethodName> = (
  request: ParsedRequest<M>,
) => Promise<HandlerResult<M>> | HandlerResult<M>;
export type IpcHandlers = { [M in MethodName]: MethodHandler<M> };

export interface IpcDispatcher {
  dispatch(method: string, rawRequest: unknown): Promise<IpcResult<unknown>>;
}

export interface IpcDispatcherOptions {
  /** Methods with access `unlocked` are refused while this is false. */
  isUnlocked: () => boolean;
  logger?: Logger;
  now?: () => number;
}

export function createIpcDispatcher(
  contract: Methods,
  handlers: IpcHandlers,
  options: IpcDispatcherOptions,
): IpcDispatcher {
  const log = options.logger ?? createLogger('ipc');
  const now = options.now ?? Date.now;
  return {
    async dispatch(method, rawRequest) {
      if (!isMethodName(method)) return fail('invalid_input', 'Unknown method.');
      const spec = contract[method];
      if (spec.access === 'unlocked' && !options.isUnlocked()) {
        return fail('profile_locked', 'Unlock your profile first.');
      }
      const parsed = spec.request.safeParse(rawRequest);
      if (!parsed.success) {
        return fail('invalid_input', describeIssues(parsed.error.issues));
      }
      let value: unknown;
      try {
        const handler = handlers[method] as (request: unknown) => unknown;
        value = await handler(parsed.data);
      } catch (error) {
        if (isMessengerError(error)) {
          return fail(error.code, error.message, retryAfterMs(error.details, now()));
        }
        // An unexpected error's message may hold anything (paths, SQL, data): log its kind only.
        log.error('handler_failed', { method, error: describeError(error) });
        return fail('internal', 'Something went wrong. Try again, or restart the app.');
      }
      // Parsing the response strips any field the schema does not name, so a handler that
      // returns a richer object by mistake cannot leak keys or tokens to the renderer.
      const response = spec.response.safeParse(value);
      if (!response.success) {
        log.error('response_invalid', { method, issue: describeIssues(response.error.issues) });
        return fail('internal', 'Something went wrong. Try again, or restart the app.');
      }
      return ok(response.data);
    },
  };
}

// Issue messages name the field and the rule, never the offending value (it may be a passcode).
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'request';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** Accepts the shapes the core uses: retryAfterMs, retryInSeconds, or an ISO retryAt. */
function retryAfterMs(
  details: Readonly<Record<string, unknown>> | undefined,
  nowMs: number,
): number | undefined {
  if (!details) return undefined;
  const { retryAfterMs: ms, retryInSeconds: seconds, retryAt } = details;
  if (typeof ms === 'number') return Math.max(0, Math.ceil(ms));
  if (typeof seconds === 'number') return Math.max(0, Math.ceil(seconds * 1000));
  if (typeof retryAt === 'string' && !Number.isNaN(Date.parse(retryAt))) {
    return Math.max(0, Date.parse(retryAt) - nowMs);
  }
  return undefined;
}
