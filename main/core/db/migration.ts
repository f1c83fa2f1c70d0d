import type { SqlDatabase } from './encrypted-database.js';

/**
 * One schema step. Shipped migrations are never edited: a change is a new migration with the
 * next id, so that every database in the field reaches the same schema by the same path.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  up(db: SqlDatabase): void;
}
