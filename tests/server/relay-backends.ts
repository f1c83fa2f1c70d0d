import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';

// The relay suites run once per storage backend. PostgreSQL needs PMSG_TEST_POSTGRES_URL, which
// `npm test` sets from a private cluster (build/scripts/private-postgres.mjs); without it the
// PostgreSQL cases are skipped, and said so.

export type RelayBackend = 'sqlite' | 'postgres';
export const relayBackends: readonly RelayBackend[] = ['sqlite', 'postgres'];
export const postgresUrl = process.env.PMSG_TEST_POSTGRES_URL;

let warned = false;

/** `describe` once per backend, titled `<title> [sqlite]` and `<title> [postgres]`. */
export function describeBackends(title: string, body: (backend: RelayBackend) => void): void {
  for (const backend of relayBackends) {
    const skip = backend === 'postgres' && !postgresUrl;
    if (skip && !warned) {
      warned = true;
      process.stderr.write(
        'PMSG_TEST_POSTGRES_URL is not set: the PostgreSQL cases of the relay suites are skipped.\n',
      );
    }
    describe.skipIf(skip)(`${title} [${backend}]`, () => body(backend));
  }
}

/** A fresh database in the test cluster, dropped (with its connections) by `drop`. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!postgresUrl) throw new Error('PMSG_TEST_POSTGRES_URL is not set.');
  const name = `pmsg_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(postgresUrl);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client(postgresUrl);
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
