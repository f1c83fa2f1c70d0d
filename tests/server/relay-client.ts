import { WebSocket } from 'ws';
import type { ServerFrame } from '../../shared/protocol/index.js';
import type { RunningRelay } from '../../server/relay.js';
import { enrolPayload, generateDeviceKeys, type TestDeviceKeys } from './signal-keys.js';

export interface HttpResult {
  status: number;
  headers: Headers;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A raw HTTP call; `rawBody` sends bytes exactly as given, for the malformed-request tests. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string | Buffer; contentType?: string } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const init = { method, headers, ...(body === undefined ? {} : { body }) };
  const response = await fetch(`${base}${path}`, init).catch((error: unknown) => {
    // fetch reuses kept-alive sockets; on a loaded machine the relay may close an idle one (its
    // keep-alive timeout) just as the next request goes out, before reading it. Send once more.
    if (socketClosedUnderUs(error)) return fetch(`${base}${path}`, init);
    throw error;
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === '' ? null : JSON.parse(text),
  };
}

export interface EnrolledDevice {
  accountId: string;
  deviceId: number;
  token: string;
  keys: TestDeviceKeys;
  registrationId: number;
}

export async function enrolWithCode(
  base: string,
  code: string,
  keys = generateDeviceKeys(),
): Promise<EnrolledDevice> {
  const result = await call(base, 'POST', '/v1/enrol', { body: enrolPayload(code, keys) });
  if (result.status !== 201) throw new Error(`enrol failed: ${JSON.stringify(result.json)}`);
  return { ...result.json, keys, registrationId: keys.registrationId };
}

export async function enrolNew(
  relay: RunningRelay,
  name: string,
  org = 'Test Practice',
  role: 'clinician' | 'reception' = 'clinician',
): Promise<EnrolledDevice> {
  const issued = await relay.enrol({ displayName: name, role, org });
  return enrolWithCode(relay.url, issued.code);
}

export function envelopeFor(device: EnrolledDevice, content: string, type = 3) {
  return {
    deviceId: device.deviceId,
    registrationId: device.registrationId,
    type,
    content: Buffer.from(content).toString('base64'),
  };
}

/** A WebSocket that records every frame, with waits on them. */
export class FrameLog {
  readonly frames: ServerFrame[] = [];
  closeCode: number | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      this.wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async open(base: string, token?: string): Promise<FrameLog> {
    const socket = new WebSocket(
      `${base.replace(/^http/, 'ws')}/v1/websocket`,
      token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
    );
    const log = new FrameLog(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
    return log;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  async until(predicate: (log: FrameLog) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  envelopes() {
    return this.frames.flatMap((f) => (f.type === 'envelope' ? [f.envelope] : []));
  }

  has(type: ServerFrame['type']): boolean {
    return this.frames.some((f) => f.type === type);
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  ack(ids: string[]): void {
    this.send({ type: 'ack', ids });
  }

  close(): void {
    this.socket.close();
  }
}

function socketClosedUnderUs(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'UND_ERR_SOCKET';
}
