// A relay in its own process for the hostile-client suite, so that a crash is an exit, not a
// failed test worker. argv: <dataDir> <JSON {limits, lockWaitMs, codes, databaseUrl}>. Prints one line
// {"url","codes"} on stdout; logs JSON lines on stderr as `pmsg relay serve` does.
import { createRelayLogger } from '../../../server/log.js';
import { startRelay } from '../../../server/relay.js';

const [dataDir, json] = process.argv.slice(2);
const config = JSON.parse(json ?? '{}') as {
  limits?: Record<string, number>;
  lockWaitMs?: number;
  codes?: number;
  databaseUrl?: string;
};
const relay = await startRelay({
  dataDir: dataDir ?? '',
  host: '0.0.0.0',
  port: 0,
  logger: createRelayLogger('info'),
  limits: config.limits ?? {},
  ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  ...(config.lockWaitMs === undefined
    ? {}
    : {
        sqlite: { busyRetryMs: config.lockWaitMs },
        postgres: { lockTimeoutMs: config.lockWaitMs },
      }),
});
const codes: string[] = [];
for (let i = 0; i < (config.codes ?? 0); i += 1) {
  codes.push(
    (await relay.enrol({ displayName: `Staff ${i}`, role: 'clinician', org: 'Hostile' })).code,
  );
}
const port = relay.port;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, codes })}\n`);
process.on('SIGTERM', () => void relay.close().then(() => process.exit(0)));
