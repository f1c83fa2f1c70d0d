// Another device connects with this profile's token: the relay closes our socket with 4000. The
// client must say so plainly, through the IPC event and the CLI, and must not reconnect (which
// would only knock the other device off in turn, for ever).
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forwardMessagingEvent } from '../../../../main/core/app/messaging-event-forwarder.js';
import { readRelayAccount } from '../../../../main/core/messaging/relay-account.js';
import { replacedExplanation } from '../../../../main/core/messaging/relay-errors.js';
import { closeCodes } from '../../../../shared/protocol/frames.js';
import { createWorld, eventually, type World } from './messaging-harness.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

describe('a connection replaced by another device with the same credentials', () => {
  it('stops with an explanation naming the other device, and does not fight it', async () => {
    const gp = await world.enrol('Dr A Patel');
    gp.core.start();
    await eventually(() => gp.core.connectionState === 'online', 'the GP online');

    // The "other device": a client holding the same token.
    const token = readRelayAccount(gp.profile.repositories.settings)!.token;
    const url = `${world.relay.relay.url.replace(/^http/, 'ws')}/v1/websocket`;
    const other = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
    const otherClosed: number[] = [];
    other.on('close', (code) => otherClosed.push(code));
    await new Promise((resolve, reject) => other.once('open', resolve).once('error', reject));

    await eventually(
      () => gp.seen.some((e) => e.type === 'account.stopped'),
      'the GP to be told it was replaced',
    );
    expect(gp.seen.filter((e) => e.type === 'account.stopped')).toEqual([
      { type: 'account.stopped', reason: 'replaced' },
    ]);
    // Well past the socket's reconnect backoff (50-300 ms here): no reconnect, no fight.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(otherClosed).toEqual([]);
    expect(other.readyState).toBe(WebSocket.OPEN);
    expect(gp.core.connectionState).toBe('offline');
    expect(gp.seen.filter((e) => e.type === 'account.stopped')).toHaveLength(1);
    other.close();
    expect(closeCodes.replaced).toBe(4000);
  });

  it('reaches the renderer as account.stopped with a message that says another device has the credentials', () => {
    const emitted: { name: string; payload: unknown }[] = [];
    forwardMessagingEvent(
      { type: 'account.stopped', reason: 'replaced' },
      { profile: { closed: true }, views: {} } as never,
      { emit: (name: string, payload: unknown) => emitted.push({ name, payload }) } as never,
    );
    expect(emitted).toEqual([
      { name: 'account.stopped', payload: { reason: 'replaced', message: replacedExplanation } },
    ]);
    expect(replacedExplanation).toMatch(/another device is using this profile's credentials/i);
  });
});
