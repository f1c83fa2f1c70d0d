import { MessengerError } from '../../../shared/errors.js';
import type { SqlDatabase } from './encrypted-database.js';
import type { Migration } from './migration.js';
import { migrations as shippedMigrations } from './migrations/index.js';

export interface MigrationResult {
  /** Ids applied by this call, in order; empty when the schema was already current. */
  readonly applied: number[];
}

interface RecordedMigration {
  id: number;
  name: string;
}

/**
 * Brings the schema up to date, each migration in its own transaction together with its row in
 * schema_migrations, so a crash leaves either the old or the new schema. Refuses a database that
 * a newer app has migrated (unknown ids) or whose history has gaps or renamed steps, since
 * running this code's statements on a schema it does not know could corrupt data.
 */
export function runMigrations(
  db: SqlDatabase,
  migrations: readonly Migration[] = shippedMigrations,
  now: () => number = Date.now,
): MigrationResult {
  assertWellFormed(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const recorded = db
    .prepare('SELECT id, name FROM schema_migrations ORDER BY id')
    .all() as RecordedMigration[];
  assertCompatible(recorded, migrations);

  const record = db.prepare(
    'INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)',
  );
  const applied: number[] = [];
  for (const migration of migrations.slice(recorded.length)) {
    db.transaction(() => {
      migration.up(db);
      record.run(migration.id, migration.name, now());
    }).immediate();
    applied.push(migration.id);
  }
  return { applied };
}

function assertWellFormed(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.id !== index + 1) {
      throw new Error(
        `Migration list must be numbered 1..n; found ${migration.id} at ${index + 1}`,
      );
    }
  });
}

function assertCompatible(recorded: RecordedMigration[], known: readonly Migration[]): void {
  const knownIds = known.map((m) => m.id);
  const refuse = (why: string): never => {
    throw new MessengerError('migration_refused', why, {
      recorded: recorded.map((m) => m.id).join(','),
      known: knownIds.join(','),
    });
  };
  const unknown = recorded.filter((m) => !knownIds.includes(m.id));
  if (unknown.length > 0) {
    refuse(
      `This profile database was upgraded by a newer version of Practice Messenger (schema ` +
        `migration ${unknown.map((m) => `${m.id} '${m.name}'`).join(', ')} is unknown here). ` +
        `Install the newer version to open it.`,
    );
  }
  recorded.forEach((migration, index) => {
    if (migration.id !== index + 1) {
      refuse(
        `The profile database's schema history is out of order: migration ${migration.id} is ` +
          `recorded but migration ${index + 1} is not. The database may have been tampered with.`,
      );
    }
    const expected = known[index];
    if (expected && expected.name !== migration.name) {
      refuse(
        `Schema migration ${migration.id} is recorded as '${migration.name}' but this version ` +
          `knows it as '${expected.name}'.`,
      );
    }
  });
}
