import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { attachmentLimits } from '../../shared/protocol/index.js';
import { describeBackends } from './relay-backends.js';
import { call, enrolNew } from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// docs/protocol.md §5a: a chunk travels as raw bytes (application/octet-stream) or, from an
// older client, as base64 in JSON; both forms hold and serve the same bytes.

describeBackends('attachment chunks as raw bytes', (backend) => {
  let t: TestRelay;
  beforeEach(async () => {
    t = await startTestRelay({}, backend);
  });
  afterEach(async () => {
    await t.stop();
  });

  async function create(from: { token: string }, to: { accountId: string }, chunks: number) {
    const created = await call(t.relay.url, 'POST', '/v1/attachments', {
      token: from.token,
      body: { size: 64 * chunks, chunkCount: chunks, recipients: [to.accountId] },
    });
    expect(created.status).toBe(201);
    return created.json.attachmentId as string;
  }

  /** A chunk GET with an Accept header: the answer's status, type and body bytes. */
  async function getChunk(id: string, index: number, token: string, accept: string) {
    const response = await fetch(`${t.relay.url}/v1/attachments/${id}/chunks/${index}`, {
      headers: { authorization: `Bearer ${token}`, accept },
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }

  const putBytes = (id: string, index: number, token: string, bytes: Buffer, type: string) =>
    call(t.relay.url, 'PUT', `/v1/attachments/${id}/chunks/${index}`, {
      token,
      rawBody: bytes,
      contentType: type,
    });

  it('takes a chunk as bytes or base64 JSON and serves either form', async () => {
    const reception = await enrolNew(t.relay, 'Reception', 'Test Practice', 'reception');
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const id = await create(reception, gp, 2);
    const binary = randomBytes(64);
    const json = randomBytes(64);

    const first = await putBytes(id, 0, reception.token, binary, 'application/octet-stream');
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ received: 1 });
    const second = await call(t.relay.url, 'PUT', `/v1/attachments/${id}/chunks/1`, {
      token: reception.token,
      body: { data: json.toString('base64') },
    });
    expect(second.json).toEqual({ received: 2 });
    // Sent again after a lost answer: still two chunks.
    expect(
      (await putBytes(id, 0, reception.token, binary, 'application/octet-stream')).json,
    ).toEqual({ received: 2 });
    expect(
      (await call(t.relay.url, 'POST', `/v1/attachments/${id}/finish`, reception)).status,
    ).toBe(200);

    for (const [index, expected] of [
      [0, binary],
      [1, json],
    ] as const) {
      const raw = await getChunk(id, index, gp.token, 'application/octet-stream');
      expect(raw.status).toBe(200);
      expect(raw.type).toBe('application/octet-stream');
      expect(raw.bytes.equals(expected)).toBe(true);
      const old = await getChunk(id, index, gp.token, 'application/json');
      expect(old.type).toMatch(/^application\/json/);
      expect(Buffer.from(JSON.parse(old.bytes.toString()).data, 'base64').equals(expected)).toBe(
        true,
      );
    }
    // Errors stay JSON whatever was asked for.
    const missing = await getChunk(id, 5, gp.token, 'application/octet-stream');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.bytes.toString()).error.code).toBe('invalid_input');
  });

  it('refuses an oversize or empty binary chunk, another type, and a writer not the uploader', async () => {
    const reception = await enrolNew(t.relay, 'Reception', 'Test Practice', 'reception');
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const id = await create(reception, gp, 1);

    const big = Buffer.alloc(attachmentLimits.maxChunkCiphertextBytes + 1, 1);
    const oversize = await putBytes(id, 0, reception.token, big, 'application/octet-stream');
    expect(oversize.status).toBe(413);
    expect(oversize.json.error.code).toBe('payload_too_large');
    const empty = await putBytes(
      id,
      0,
      reception.token,
      Buffer.alloc(0),
      'application/octet-stream',
    );
    expect(empty.status).toBe(413);

    const text = await putBytes(id, 0, reception.token, Buffer.from('abc'), 'text/plain');
    expect(text.status).toBe(415);
    expect(text.json.error.code).toBe('unsupported_media_type');
    expect(text.json.error.message).toContain('application/octet-stream');

    const notOwner = await putBytes(id, 0, gp.token, randomBytes(64), 'application/octet-stream');
    expect(notOwner.status).toBe(403);
    const noToken = await call(t.relay.url, 'PUT', `/v1/attachments/${id}/chunks/0`, {
      rawBody: randomBytes(64),
      contentType: 'application/octet-stream',
    });
    expect(noToken.status).toBe(401);
    expect((await call(t.relay.url, 'GET', `/v1/attachments/${id}`, gp)).json.received).toEqual([]);

    // The largest chunk still fits, and binary bodies are only for chunks.
    const largest = randomBytes(attachmentLimits.maxChunkCiphertextBytes);
    expect(
      (await putBytes(id, 0, reception.token, largest, 'application/octet-stream')).status,
    ).toBe(200);
    const other = await call(t.relay.url, 'POST', '/v1/attachments', {
      token: reception.token,
      rawBody: Buffer.from('{}'),
      contentType: 'application/octet-stream',
    });
    expect(other.status).toBe(415);
  });
});
