// `npm run bench attachments`: one 25 MB file from one profile to another through a real relay on
// loopback (encrypted on the sender's device, uploaded in chunks, kept at rest in both SQLCipher
// databases, downloaded, checked against its SHA-256), against a plain HTTP upload + download of
// the same bytes on loopback to a server in the same kind of child process, in the same run.
// Prints both rates and the ratio (aim: >= 0.5), and where the relay's time went (encrypt and
// store, upload, download). First measured at 0.04-0.13 on a loaded 2-core machine, with the
// chunks one request at a time and each a durable commit on the sender, the relay and the
// recipient; now a window of four chunks is in flight, the sender commits nothing per chunk, and
// chunk bodies are raw bytes rather than base64 in JSON. Since: the first upload sends the chunks
// from memory (no read back out of SQLCipher), the download hashes as chunks come, and holds the
// WAL checkpoints back until the file is ready (0.2 s of CPU that the "after" figure still shows).
// Profiled (PMSG_BENCH_CPU_PROF), the clients' thread is the bottleneck, and most of it is
// SQLCipher: each 25 MB is encrypted into the WAL, then decrypted and encrypted again by the
// checkpoint, on both sides; the plain HTTP baseline does none of it, hence a ratio below 0.5.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KeytarKeychain } from '../main/core/keychain/keytar-keychain.js';
import { createLogger } from '../main/core/log/logger.js';
import { enrolProfile } from '../main/core/messaging/enrolment.js';
import { MessagingCore } from '../main/core/messaging/messaging-core.js';
import { ProfileStore } from '../main/core/profile/profile-store.js';
import { silentLogger } from '../server/log.js';
import { startRelay } from '../server/relay.js';
import { profiledInto } from './cpu-profile.js';
import { figure } from './figures.js';

const self = fileURLToPath(import.meta.url);
const megabytes = Number(process.env.PMSG_BENCH_ATTACHMENT_MB ?? 25);
const size = megabytes * 1_048_576;
const deadlineMs = 300_000;
const quiet = process.env.PMSG_BENCH_LOG
  ? createLogger('bench')
  : createLogger('bench', { sink: () => undefined });

/** A JPEG by its signature (the type is decided from the bytes), random after it. */
function file(): Buffer {
  const bytes = randomBytes(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return bytes;
}

interface Child {
  child: ChildProcess;
  first: Record<string, string>;
  lines: ReturnType<typeof createInterface>;
}

// PMSG_BENCH_CPU_PROF=<dir>: the relay child writes a V8 CPU profile there (its whole life, idle
// but for the transfer), and this process one of the timed transfer only (both clients).
const profileDir = process.env.PMSG_BENCH_CPU_PROF;

async function startChild(mode: string, arg: string): Promise<Child> {
  const profiling =
    profileDir && mode === 'relay-child' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...process.execArgv, ...profiling, self, mode, arg], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve) => lines.once('line', resolve));
  return { child, first: JSON.parse(first) as Record<string, string>, lines };
}

function askChild<T>({ child, lines }: Child, question: object): Promise<T> {
  const answer = new Promise<string>((resolve) => lines.once('line', resolve));
  child.stdin!.write(`${JSON.stringify(question)}\n`);
  return answer.then((line) => JSON.parse(line) as T);
}

/** CPU seconds (user + system) a process has used, from process.cpuUsage(). */
const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${what}: not done in ${deadlineMs / 1000} s`)),
        deadlineMs,
      ).unref(),
    ),
  ]);
}

/** Seconds from send() to the recipient holding the checked file. */
async function throughRelay(bytes: Buffer): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pmsg-bench-attachments-'));
  const relay = await startChild('relay-child', path.join(dir, 'relay'));
  const store = new ProfileStore({
    root: path.join(dir, 'profiles'),
    keychain: new KeytarKeychain(),
    logger: quiet,
  });
  const enrol = async (name: string) => {
    const issued = await askChild<{ code: string }>(relay, {
      displayName: name,
      role: 'clinician',
      org: 'Bench',
    });
    const profile = await store.create({ label: name, passcode: 'bench passcode 1' });
    await enrolProfile(profile, { serverUrl: relay.first.url!, code: issued.code });
    return { profile, core: MessagingCore.open(profile, { logger: quiet }) };
  };
  const sender = await enrol('Sender');
  const recipient = await enrol('Recipient');
  try {
    sender.core.start();
    recipient.core.start();
    const conversation = await sender.core.openDirect(recipient.core.account.accountId);
    // Warm-up: the session both ways before timing.
    const warm = await sender.core.sendText(conversation.id, 'warm-up');
    await recipient.core.events.next('message.added', (e) => e.message.id === warm.id);

    const relayCpuBefore = await askChild<NodeJS.CpuUsage>(relay, { cpu: true });
    const cpuBefore = process.cpuUsage();
    const { sent, settled, seconds, sentAfter, uploadedAfter } = await profiledInto(
      profileDir,
      'clients',
      async () => {
        const started = performance.now();
        const sent = await sender.core.attachments.send(conversation.id, {
          bytes,
          name: 'bench.jpg',
          maxBytes: size,
        });
        const sentAfter = performance.now() - started;
        let uploadedAfter = NaN;
        void sender.core.attachments.whenSettled(sent.id).then(() => {
          uploadedAfter = performance.now() - started;
        });
        const settled = await withDeadline(
          (async () => {
            // Polled, not awaited as an event: the message may arrive before a listener is set.
            while (recipient.profile.repositories.attachments.get(sent.id) === null) {
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            return recipient.core.attachments.whenSettled(sent.id);
          })(),
          'relay transfer',
        );
        const seconds = (performance.now() - started) / 1000;
        return { sent, settled, seconds, sentAfter, uploadedAfter };
      },
    );
    const clientsCpu = cpuSeconds(process.cpuUsage(cpuBefore));
    // Work left once the file is ready (the recipient's acknowledgement, its WAL checkpoint held
    // back during the download): counted apart, so the total shows nothing was merely deferred.
    await Promise.all([sender.core.attachments.idle(), recipient.core.attachments.idle()]);
    await new Promise((resolve) => setImmediate(resolve));
    const clientsCpuAfter = cpuSeconds(process.cpuUsage(cpuBefore)) - clientsCpu;
    const relayCpu =
      cpuSeconds(await askChild<NodeJS.CpuUsage>(relay, { cpu: true })) -
      cpuSeconds(relayCpuBefore);
    if (settled.state !== 'ready') throw new Error(`the file ended ${settled.state}`);
    console.log(
      `  relay: encrypted and stored by the sender after ${(sentAfter / 1000).toFixed(2)} s, uploaded after ${(uploadedAfter / 1000).toFixed(2)} s, ready at the recipient after ${seconds.toFixed(2)} s`,
    );
    // Less at the mercy of other work on the machine than the wall-clock times above.
    console.log(
      `  CPU used meanwhile: ${clientsCpu.toFixed(2)} s by the two clients' process (and ${clientsCpuAfter.toFixed(2)} s after the file was ready, until both were idle), ${relayCpu.toFixed(2)} s by the relay's`,
    );
    if (!recipient.core.attachments.read(sent.id).bytes.equals(bytes)) {
      throw new Error('the received file differs from the sent one');
    }
    return seconds;
  } finally {
    sender.core.stop();
    recipient.core.stop();
    sender.profile.close();
    recipient.profile.close();
    await stopChild(relay.child);
    await store.delete(sender.profile.id).catch(() => undefined);
    await store.delete(recipient.profile.id).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function request(url: string, method: string, body?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve(Buffer.concat(parts)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Seconds for a plain HTTP PUT then GET of the same bytes, no encryption, nothing durable. */
async function plainHttp(bytes: Buffer): Promise<number> {
  const server = await startChild('http-child', '-');
  try {
    const url = `${server.first.url}/blob`;
    const started = performance.now();
    await request(url, 'PUT', bytes);
    const back = await request(url, 'GET');
    const seconds = (performance.now() - started) / 1000;
    if (!back.equals(bytes)) throw new Error('the plain HTTP round trip changed the bytes');
    return seconds;
  } finally {
    await stopChild(server.child);
  }
}

async function runBenchmark() {
  const bytes = file();
  const plain = await plainHttp(bytes);
  const relayed = await throughRelay(bytes);
  const rate = (seconds: number) => megabytes / seconds;
  console.log(
    `plain HTTP upload + download on loopback: ${megabytes} MB in ${plain.toFixed(2)} s = ${rate(plain).toFixed(1)} MB/s`,
  );
  console.log(
    `through the relay, end to end encrypted and at rest on both sides: ${megabytes} MB in ${relayed.toFixed(2)} s = ${rate(relayed).toFixed(1)} MB/s`,
  );
  console.log(`ratio (relay / plain HTTP): ${(plain / relayed).toFixed(2)} (aim: >= 0.5)`);
  figure({
    name: `attachment ${megabytes} MB sender to receiver through the relay`,
    value: rate(relayed),
    unit: 'MB/s',
    baseline: rate(plain),
  });
  console.log(
    [
      'What the ratio compares:',
      '  plain HTTP: one PUT of the bytes to a server in a child process (kept in memory) and one',
      '    GET back, on loopback: no encryption, no chunks, nothing written to disk.',
      '  relay: the sender encrypts the file (AES-256-GCM per 512 KB chunk), stores the chunks in',
      '    its SQLCipher database, uploads them one request each (raw bytes, four in flight) to',
      '    the relay, which writes each to its blob store; the message with the key',
      '    goes once the blob is complete; the recipient downloads the chunks (four in flight),',
      '    checks each and hashes it in order, stores each window of them in its own SQLCipher',
      '    database in one transaction (its WAL checkpoint waits until the file is ready), and',
      '    checks the whole file against the SHA-256 before it counts as ready.',
      '  Both clients share this process; the relay runs in a second one.',
    ].join('\n'),
  );
}

if (process.argv[2] === 'relay-child') {
  const relay = await startRelay({
    dataDir: process.argv[3] as string,
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    limits: { requestBurst: 100_000, requestsPerSecond: 100_000 },
  });
  process.stdout.write(`${JSON.stringify({ url: relay.url })}\n`);
  createInterface({ input: process.stdin }).on('line', (line) => {
    const question = JSON.parse(line) as Parameters<typeof relay.enrol>[0] | { cpu: true };
    if ('cpu' in question) {
      process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
      return;
    }
    void relay.enrol(question).then((issued) => {
      process.stdout.write(`${JSON.stringify(issued)}\n`);
    });
  });
  process.on('SIGTERM', () => void relay.close().then(() => process.exit(0)));
} else if (process.argv[2] === 'http-child') {
  let stored = Buffer.alloc(0);
  const server = http.createServer((req, res) => {
    if (req.method === 'PUT') {
      const parts: Buffer[] = [];
      req.on('data', (part: Buffer) => parts.push(part));
      req.on('end', () => {
        stored = Buffer.concat(parts);
        res.end();
      });
      return;
    }
    res.end(stored);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  await runBenchmark();
}
