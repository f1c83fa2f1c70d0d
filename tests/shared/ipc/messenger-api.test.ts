import { describe, expect, it } from 'vitest';
import { buildMessengerApi, type MessengerTransport } from '../../../shared/ipc/messenger-api.js';
import { eventNames, methodNames } from '../../../shared/ipc/names.js';

function fakeTransport() {
  const invoked: Array<{ channel: string; request: unknown }> = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const transport: MessengerTransport = {
    invoke: (channel, request) => {
      invoked.push({ channel, request });
      return Promise.resolve({ ok: true, value: {} });
    },
    subscribe: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
  const push = (channel: string, payload: unknown) =>
    listeners.get(channel)?.forEach((l) => l(payload));
  return { transport, invoked, listeners, push };
}

describe('window.messenger, built from the contract', () => {
  it('exposes one function per contract method, grouped by namespace, and `on`', () => {
    const api = buildMessengerApi(fakeTransport().transport) as unknown as Record<
      string,
      Record<string, unknown>
    >;
    const exposed = Object.entries(api)
      .filter(([key]) => key !== 'on')
      .flatMap(([ns, members]) => Object.keys(members).map((m) => `${ns}.${m}`));
    expect(exposed.sort()).toEqual([...methodNames].sort());
    expect(typeof api['on']).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api['profiles'])).toBe(true);
  });

  it('invokes each method on its own channel, sending {} when called without a request', async () => {
    const fake = fakeTransport();
    const api = buildMessengerApi(fake.transport);
    await api.app.info();
    await api.profiles.unlock({ profileId: 'p1', passcode: 'secret1' });
    expect(fake.invoked).toEqual([
      { channel: 'pm:app.info', request: {} },
      { channel: 'pm:profiles.unlock', request: { profileId: 'p1', passcode: 'secret1' } },
    ]);
  });

  it('subscribes to known events only, passes the payload alone, and unsubscribes', () => {
    const fake = fakeTransport();
    const api = buildMessengerApi(fake.transport);
    const seen: unknown[] = [];
    const off = api.on('session.locked', (payload) => seen.push(payload));
    fake.push('pm:event:session.locked', { reason: 'idle' });
    off();
    fake.push('pm:event:session.locked', { reason: 'user' });
    expect(seen).toEqual([{ reason: 'idle' }]);
    for (const event of eventNames) expect(() => api.on(event, () => {})).not.toThrow();
    // The page is untrusted: it must not reach arbitrary channels through `on`.
    const on = api.on as (event: string, listener: () => void) => unknown;
    expect(() => on('pm:profiles.unlock', () => {})).toThrow(TypeError);
    expect(() => on('ELECTRON_BROWSER_WINDOW_ALERT', () => {})).toThrow(TypeError);
    expect(() => (api.on as (e: string, l: unknown) => unknown)('session.locked', 'x')).toThrow(
      TypeError,
    );
  });
});
