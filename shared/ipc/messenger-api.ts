/**
 * The shape of `window.messenger`, derived from the contract, and the one function that builds
 * it from a transport. The preload builds it over ipcRenderer; a browser test harness can build
 * the same object over a WebSocket. Method `profiles.unlock` becomes `messenger.profiles.unlock()`.
 */
import type { EventPayload, MethodRequest, MethodResponse } from './contract.js';
import {
  eventChannel,
  eventNames,
  isEventName,
  methodChannel,
  methodNames,
  type EventName,
  type MethodName,
} from './names.js';
import type { IpcResult } from './result.js';

type NamespaceOf<M extends string> = M extends `${infer N}.${string}` ? N : never;
type MemberOf<M extends string> = M extends `${string}.${infer K}` ? K : never;

// Methods whose request has no required field may be called with no argument.
type MethodCall<M extends MethodName> =
  Record<string, never> extends MethodRequest<M>
    ? (request?: MethodRequest<M>) => Promise<IpcResult<MethodResponse<M>>>
    : (request: MethodRequest<M>) => Promise<IpcResult<MethodResponse<M>>>;

export type MessengerMethods = {
  readonly [N in NamespaceOf<MethodName>]: {
    readonly [M in MethodName as M extends `${N}.${string}` ? MemberOf<M> : never]: MethodCall<M>;
  };
};

export type Unsubscribe = () => void;

export interface MessengerEvents {
  /** Subscribes to one event; the returned function unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): Unsubscribe;
}

export type MessengerApi = MessengerMethods & MessengerEvents;

export interface MessengerTransport {
  invoke(channel: string, request: unknown): Promise<unknown>;
  subscribe(channel: string, listener: (payload: unknown) => void): Unsubscribe;
}

export function buildMessengerApi(transport: MessengerTransport): MessengerApi {
  const namespaces: Record<string, Record<string, (request?: unknown) => Promise<unknown>>> = {};
  for (const name of methodNames) {
    const [namespace = '', member = ''] = name.split('.');
    const channel = methodChannel(name);
    (namespaces[namespace] ??= {})[member] = (request?: unknown) =>
      transport.invoke(channel, request ?? {});
  }
  const on = (event: unknown, listener: unknown): Unsubscribe => {
    // The renderer is untrusted: it must not be able to listen on arbitrary channels.
    if (!isEventName(event)) {
      throw new TypeError(`Unknown event; known events: ${eventNames.join(', ')}`);
    }
    if (typeof listener !== 'function') throw new TypeError('The listener must be a function');
    return transport.subscribe(eventChannel(event), (payload) =>
      (listener as (payload: unknown) => void)(payload),
    );
  };
  const api: Record<string, unknown> = { on };
  for (const [namespace, members] of Object.entries(namespaces)) {
    api[namespace] = Object.freeze(members);
  }
  return Object.freeze(api) as unknown as MessengerApi;
}
