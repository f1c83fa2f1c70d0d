/**
 * The `database` item of `pmsg relay check --database`: that PostgreSQL answers, holds a relay
 * whose schema this relay knows, and what it holds. Reads only; safe while nodes serve.
 */
import pg from 'pg';
import { currentSchemaVersion, postgresMigrations } from '../storage/postgres-migrations.js';
import type { CheckItem } from './relay-check.js';

/** The URL without its password, for a report. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.username === '' ? '' : `${decodeURIComponent(parsed.username)}@`}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the --database URL';
  }
}

export async function checkPostgresDatabase(url: string): Promise<CheckItem> {
  const where = describePostgresUrl(url);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 5000,
    application_name: 'pmsg-relay-check',
  });
  // A dropped connection after connect must not crash the command: the query then fails.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    return {
      name: 'database',
      ok: false,
      detail: `${where} cannot be reached: ${(error as Error).message}. Check the host, port, user, PGPASSWORD or PGPASSFILE, and sslmode.`,
      database: where,
    };
  }
  try {
    const known = postgresMigrations.length;
    const schemaVersion = await currentSchemaVersion(client);
    if (schemaVersion === null) {
      return {
        name: 'database',
        ok: false,
        detail: `${where} holds no relay (no relay_schema table); \`pmsg relay serve --database\` creates it.`,
        database: where,
        schemaVersion: 0,
      };
    }
    if (schemaVersion > known) {
      return {
        name: 'database',
        ok: false,
        detail: `${where} has schema version ${schemaVersion}, newer than this relay's (${known}); upgrade the relay first.`,
        database: where,
        schemaVersion,
      };
    }
    const count = async (sql: string) =>
      Number((await client.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    const server = await client.query<{ version: string }>('SHOW server_version');
    return {
      name: 'database',
      ok: true,
      detail:
        schemaVersion === known
          ? `${where} answers (PostgreSQL ${server.rows[0]?.version ?? '?'}), schema version ${schemaVersion}.`
          : `${where} answers, schema version ${schemaVersion}; the next \`serve\` upgrades it to ${known}.`,
      database: where,
      serverVersion: server.rows[0]?.version ?? null,
      schemaVersion,
      accounts: await count('SELECT count(*) AS n FROM accounts'),
      devices: await count('SELECT count(*) AS n FROM devices'),
      queuedEnvelopes: await count('SELECT count(*) AS n FROM envelopes'),
      pendingCodes: await count('SELECT count(*) AS n FROM enrolment_codes WHERE used_at IS NULL'),
    };
  } catch (error) {
    return {
      name: 'database',
      ok: false,
      detail: `${where} could not be read: ${(error as Error).message}`,
      database: where,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
