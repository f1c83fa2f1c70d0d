import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../server/log.js';
import { startRelay, type RunningRelay } from '../../server/relay.js';
import type { RelayLimits } from '../../server/relay-services.js';
import { createTestDatabase, type RelayBackend } from './relay-backends.js';

export interface TestRelay {
  relay: RunningRelay;
  dataDir: string;
  /** The relay's PostgreSQL database, on that backend. */
  databaseUrl: string | null;
  /** `--data <dir>` or `--database <url>`, for the admin commands. */
  storeArgs: string[];
  stop(): Promise<void>;
}

/**
 * A real relay on 127.0.0.1 and a free port, in a fresh data directory, or on a fresh database
 * of the test PostgreSQL cluster.
 */
export async function startTestRelay(
  limits: Partial<RelayLimits> = {},
  backend: RelayBackend = 'sqlite',
): Promise<TestRelay> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-relay-test-'));
  const database = backend === 'postgres' ? await createTestDatabase() : null;
  const relay = await startRelay({
    dataDir,
    ...(database ? { databaseUrl: database.url } : {}),
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    // Tests enrol many devices from one address and fetch one peer's bundles many times; both
    // limits have their own tests (tests/server/hostile).
    limits: {
      anonymousBurst: 1000,
      anonymousPerSecond: 1000,
      bundleBurst: 1000,
      bundlesPerSecond: 1000,
      revocationPollMs: 100,
      ...limits,
    },
  });
  return {
    relay,
    dataDir,
    databaseUrl: database?.url ?? null,
    storeArgs: database ? ['--database', database.url] : ['--data', dataDir],
    async stop() {
      await relay.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
