// What validating every IPC call against the contract costs: the dispatcher (zod request parse,
// lock check, handler, zod response parse) against calling the same handler directly, measured
// in the same run. A page of 100 messages is the largest routine response.
import { performance } from 'node:perf_hooks';
import { methods } from '../shared/ipc/contract.js';
import type { MessageView } from '../shared/ipc/view-schemas.js';
import { createIpcDispatcher, type IpcHandlers } from '../main/core/ipc/ipc-dispatcher.js';
import { figure } from './figures.js';

const message = (i: number): MessageView => ({
  id: `message-${String(i).padStart(8, '0')}`,
  conversationId: 'c1',
  direction: i % 2 ? 'incoming' : 'outgoing',
  sender: { accountId: 'a1', displayName: 'Dr Asha Patel', role: 'clinician' },
  text: 'Please call back re bloods when you have a moment. '.repeat(3),
  sentAt: 1_700_000_000_000 + i,
  receivedAt: null,
  status: 'read',
  urgent: false,
  replyTo: null,
});
const page = { messages: Array.from({ length: 100 }, (_, i) => message(i)), nextCursor: 'x' };
const handlers = {
  'app.info': () => ({
    productName: 'Practice Messenger',
    version: '0.1.0',
    licence: 'AGPL-3.0-only',
    platform: 'linux',
  }),
  'messages.page': () => page,
} as unknown as IpcHandlers;
const dispatcher = createIpcDispatcher(methods, handlers, { isUnlocked: () => true });

async function rate(label: string, iterations: number, run: () => Promise<unknown> | unknown) {
  for (let i = 0; i < Math.min(1000, iterations); i += 1) await run();
  const start = performance.now();
  for (let i = 0; i < iterations; i += 1) await run();
  const perSecond = iterations / ((performance.now() - start) / 1000);
  console.log(`${label.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-GB')} calls/s`);
  return perSecond;
}

const small = await rate('app.info via dispatcher', 100_000, () =>
  dispatcher.dispatch('app.info', {}),
);
const smallDirect = await rate('app.info handler called directly', 100_000, () =>
  handlers['app.info']({}),
);
const big = await rate('messages.page (100 messages) via dispatcher', 5_000, () =>
  dispatcher.dispatch('messages.page', { conversationId: 'c1', limit: 100 }),
);
const bigDirect = await rate('messages.page handler called directly', 5_000, () =>
  handlers['messages.page']({ conversationId: 'c1', limit: 100 }),
);
figure({ name: 'app.info via dispatcher', value: small, unit: 'calls/s', baseline: smallDirect });
figure({
  name: 'messages.page (100) via dispatcher',
  value: big,
  unit: 'calls/s',
  baseline: bigDirect,
});
console.log(
  `validation overhead, small call:  dispatcher runs at ${(small / smallDirect).toFixed(3)}x direct`,
);
console.log(
  `validation overhead, 100-message page: ${(big / bigDirect).toFixed(3)}x direct, ${(1000 / big).toFixed(3)} ms per page`,
);
