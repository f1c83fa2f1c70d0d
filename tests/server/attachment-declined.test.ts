import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeBackends } from './relay-backends.js';
import { call, enrolNew, enrolWithCode } from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// docs/protocol.md §5a: a recipient device that deleted the message before fetching its file
// declines the blob, so it goes once every recipient device has fetched or declined it.

describeBackends('attachment blobs declined by a recipient device', (backend) => {
  let t: TestRelay;
  beforeEach(async () => {
    t = await startTestRelay({}, backend);
  });
  afterEach(async () => {
    await t.stop();
  });

  /** A complete one-chunk blob from `from` to `to`'s account. */
  async function upload(from: { token: string }, to: { accountId: string }): Promise<string> {
    const created = await call(t.relay.url, 'POST', '/v1/attachments', {
      token: from.token,
      body: { size: 32, chunkCount: 1, recipients: [to.accountId] },
    });
    expect(created.status).toBe(201);
    const id = created.json.attachmentId as string;
    const put = await call(t.relay.url, 'PUT', `/v1/attachments/${id}/chunks/0`, {
      token: from.token,
      body: { data: Buffer.alloc(32, 7).toString('base64') },
    });
    expect(put.status).toBe(200);
    expect((await call(t.relay.url, 'POST', `/v1/attachments/${id}/finish`, from)).status).toBe(
      200,
    );
    return id;
  }

  const status = (id: string, who: { token: string }) =>
    call(t.relay.url, 'GET', `/v1/attachments/${id}`, { token: who.token });
  const decline = (id: string, who: { token: string }) =>
    call(t.relay.url, 'POST', `/v1/attachments/${id}/declined`, { token: who.token });
  const fetched = (id: string, who: { token: string }) =>
    call(t.relay.url, 'POST', `/v1/attachments/${id}/fetched`, { token: who.token });

  it('only a recipient device the blob waits for may decline; the blob goes once none waits', async () => {
    const reception = await enrolNew(t.relay, 'Reception', 'Test Practice', 'reception');
    const gp1 = await enrolNew(t.relay, 'Dr A Patel');
    const gp2 = await enrolWithCode(
      t.relay.url,
      (await t.relay.enrol({ accountId: gp1.accountId })).code,
    );
    const nurse = await enrolNew(t.relay, 'Dr C Other');
    const id = await upload(reception, gp1);

    // Someone the blob is not addressed to does not even see it; the uploader cannot give it up.
    expect((await decline(id, nurse)).json.error.code).toBe('not_found');
    const byUploader = await decline(id, reception);
    expect(byUploader.status).toBe(403);
    expect(byUploader.json.error.code).toBe('forbidden');
    expect((await call(t.relay.url, 'POST', `/v1/attachments/${id}/declined`, {})).status).toBe(
      401,
    );

    // One of the GP's devices deleted the message: the other still waits, so the blob stays.
    const first = await decline(id, gp1);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ deleted: false });
    expect((await decline(id, gp1)).status).toBe(403);
    expect((await status(id, gp2)).status).toBe(200);
    // The other fetches it: nobody waits any more, and the blob is gone.
    expect((await fetched(id, gp2)).json).toEqual({ deleted: true });
    expect((await status(id, gp2)).status).toBe(404);
  });

  it('a blob every recipient device declined is deleted at once, not at its expiry', async () => {
    const reception = await enrolNew(t.relay, 'Reception', 'Test Practice', 'reception');
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const id = await upload(reception, gp);
    expect((await decline(id, gp)).json).toEqual({ deleted: true });
    expect((await status(id, reception)).status).toBe(404);
  });
});
