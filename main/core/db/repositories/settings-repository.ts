import type { z } from 'zod';
import type { SqlDatabase } from '../encrypted-database.js';

/**
 * Per-profile settings as JSON values under string keys. Secrets that must stay inside the
 * encrypted profile (the relay token, for instance) belong here, not in the plain metadata file.
 */
export class SettingsRepository {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      get: db.prepare('SELECT value FROM settings WHERE key = ?').pluck(),
      set: db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
          ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
      delete: db.prepare('DELETE FROM settings WHERE key = ?'),
    };
  }

  /** The value, checked against `schema`; undefined when unset. Throws if it does not match. */
  get<T>(key: string, schema: z.ZodType<T>): T | undefined {
    const raw = this.statements.get.get(key) as string | undefined;
    if (raw === undefined) return undefined;
    return schema.parse(JSON.parse(raw));
  }

  set(key: string, value: unknown, now: number): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new Error(`Setting '${key}' is not JSON-serialisable`);
    this.statements.set.run(key, json, now);
  }

  delete(key: string): boolean {
    return this.statements.delete.run(key).changes === 1;
  }
}
