import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MessengerError } from '../../../../shared/errors.js';
import { methods } from '../../../../shared/ipc/contract.js';
import { methodNames, type MethodName } from '../../../../shared/ipc/names.js';
import { createIpcDispatcher, type IpcHandlers } from '../../../../main/core/ipc/ipc-dispatcher.js';
import { createLogger } from '../../../../main/core/log/logger.js';

const silent = createLogger('test', { sink: () => {} });

function spyHandlers(answer: (method: MethodName) => unknown = () => ({})) {
  const calls: MethodName[] = [];
  const handlers = Object.fromEntries(
    methodNames.map((m) => [
      m,
      () => {
        calls.push(m);
        return answer(m);
      },
    ]),
  ) as unknown as IpcHandlers;
  return { handlers, calls };
}

// Values that are never a valid request for any method: not a plain object at all, or an object
// with a key no request schema has.
const notAnObject = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.string(),
  fc.array(fc.anything(), { maxLength: 3 }),
);
const withUnknownKey = fc
  .tuple(
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((k) => !knownKeys.has(k) && k !== '__proto__'),
    fc.anything(),
  )
  .map(([key, value]) => ({ [key]: value }));
const knownKeys = new Set(
  methodNames.flatMap((m) => {
    const def = (methods[m].request as unknown as { _zod: { def: { shape?: object } } })._zod.def;
    return Object.keys(def.shape ?? {});
  }),
);

describe('the IPC dispatcher', () => {
  it('rejects every malformed payload for every method with invalid_input, before any handler runs', async () => {
    const { handlers, calls } = spyHandlers();
    const dispatcher = createIpcDispatcher(methods, handlers, {
      isUnlocked: () => true,
      logger: silent,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...methodNames),
        fc.oneof(notAnObject, withUnknownKey),
        async (method, payload) => {
          const result = await dispatcher.dispatch(method, payload);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.code).toBe('invalid_input');
        },
      ),
      { numRuns: 400 },
    );
    expect(calls).toEqual([]);
  });

  it('rejects wrong field types naming the field but not echoing the value', async () => {
    const { handlers, calls } = spyHandlers();
    const dispatcher = createIpcDispatcher(methods, handlers, {
      isUnlocked: () => true,
      logger: silent,
    });
    const result = await dispatcher.dispatch('profiles.unlock', {
      profileId: 'a',
      passcode: 12345678,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!result.ok) {
      expect(result.error.message).toContain('passcode');
      expect(result.error.message).not.toContain('12345678');
    }
    const tooLong = await dispatcher.dispatch('messages.send', {
      conversationId: 'c1',
      text: 'x'.repeat(20_001),
    });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(calls).toEqual([]);
  });

  it('answers an unknown method with invalid_input', async () => {
    const { handlers } = spyHandlers();
    const dispatcher = createIpcDispatcher(methods, handlers, {
      isUnlocked: () => true,
      logger: silent,
    });
    expect(await dispatcher.dispatch('fs.readFile', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });

  it('refuses every method but unlock and the profile picker while locked', async () => {
    const { handlers, calls } = spyHandlers();
    const dispatcher = createIpcDispatcher(methods, handlers, {
      isUnlocked: () => false,
      logger: silent,
    });
    for (const method of methodNames) {
      const result = await dispatcher.dispatch(method, {});
      if (methods[method].access === 'unlocked') {
        expect(result, method).toMatchObject({ ok: false, error: { code: 'profile_locked' } });
      }
    }
    expect(calls.every((m) => methods[m].access === 'locked')).toBe(true);
    expect(calls).toContain('profiles.list');
    expect(calls).not.toContain('messages.page');
  });

  it('passes validated requests with defaults applied', async () => {
    const seen: unknown[] = [];
    const handlers = spyHandlers().handlers;
    handlers['messages.send'] = (request) => {
      seen.push(request);
      throw new MessengerError('not_implemented', 'later');
    };
    const dispatcher = createIpcDispatcher(methods, handlers, {
      isUnlocked: () => true,
      logger: silent,
    });
    const result = await dispatcher.dispatch('messages.send', { conversationId: 'c1', text: 'hi' });
    expect(result).toEqual({ ok: false, error: { code: 'not_implemented', message: 'later' } });
    expect(seen).toEqual([
      { conversationId: 'c1', text: 'hi', urgent: false, sendDespitePidWarning: false },
    ]);
  });

  it('turns typed errors into typed results, with the retry delay the core reports', async () => {
    const handlers = spyHandlers().handlers;
    handlers['profiles.unlock'] = () => {
      throw new MessengerError('too_many_attempts', 'Wait.', { retryInSeconds: 4 });
    };
    const dispatcher = createIpcDispatcher(methods, handlers, {
      isUnlocked: () => false,
      logger: silent,
    });
    expect(
      await dispatcher.dispatch('profiles.unlock', { profileId: 'p1', passcode: 'secret1' }),
    ).toEqual({
      ok: false,
      error: { code: 'too_many_attempts', message: 'Wait.', retryAfterMs: 4000 },
    });
  });

  it('hides the message of an unexpected error and logs its kind only', async () => {
    const lines: string[] = [];
    const handlers = spyHandlers().handlers;
    handlers['app.info'] = () => {
      throw new Error('SQLITE_CORRUPT at /home/gp/profile.db, patient 9434765919');
    };
    const dispatcher = createIpcDispatcher(methods, handlers, {
      isUnlocked: () => true,
      logger: createLogger('test', { sink: (l) => lines.push(l) }),
    });
    const result = await dispatcher.dispatch('app.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('9434765919');
    expect(lines.join('\n')).not.toContain('9434765919');
  });

  it('strips fields a handler returns beyond the response schema (no key reaches the renderer)', async () => {
    const handlers = spyHandlers().handlers;
    handlers['app.info'] = () =>
      ({
        productName: 'Practice Messenger',
        version: '1.0.0',
        licence: 'AGPL-3.0-only',
        platform: 'linux',
        databaseKey: 'deadbeef',
      }) as never;
    const dispatcher = createIpcDispatcher(methods, handlers, {
      isUnlocked: () => true,
      logger: silent,
    });
    const result = await dispatcher.dispatch('app.info', {});
    expect(result).toEqual({
      ok: true,
      value: {
        productName: 'Practice Messenger',
        version: '1.0.0',
        licence: 'AGPL-3.0-only',
        platform: 'linux',
      },
    });
  });

  it('answers internal when a handler returns something the contract does not allow', async () => {
    const handlers = spyHandlers().handlers;
    handlers['app.info'] = vi.fn(() => ({ productName: 42 }) as never);
    const dispatcher = createIpcDispatcher(methods, handlers, {
      isUnlocked: () => true,
      logger: silent,
    });
    expect(await dispatcher.dispatch('app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });
});
