import { insideTransactions } from '../db/async-transaction.js';
import type { SqlDatabase } from '../db/encrypted-database.js';
import { SqliteIdentityKeyStore, type IdentityStoreOptions } from './sqlite-identity-key-store.js';
import { SqliteKyberPreKeyStore } from './sqlite-kyber-pre-key-store.js';
import { SqlitePreKeyStore } from './sqlite-pre-key-store.js';
import { SqliteSenderKeyStore } from './sqlite-sender-key-store.js';
import { SqliteSessionStore } from './sqlite-session-store.js';
import { SqliteSignedPreKeyStore } from './sqlite-signed-pre-key-store.js';

/** All libsignal stores of one profile, on its database connection. */
export interface SignalStores {
  readonly identity: SqliteIdentityKeyStore;
  readonly session: SqliteSessionStore;
  readonly preKey: SqlitePreKeyStore;
  readonly signedPreKey: SqliteSignedPreKeyStore;
  readonly kyberPreKey: SqliteKyberPreKeyStore;
  readonly senderKey: SqliteSenderKeyStore;
}

export function createSignalStores(
  connection: SqlDatabase,
  options: IdentityStoreOptions = {},
): SignalStores {
  // libsignal calls the stores back outside the async context of the transaction that called
  // libsignal, so their writes are bound to whichever transaction is running.
  const db = insideTransactions(connection);
  const now = options.now ?? Date.now;
  return {
    identity: new SqliteIdentityKeyStore(db, options),
    session: new SqliteSessionStore(db, now),
    preKey: new SqlitePreKeyStore(db, now),
    signedPreKey: new SqliteSignedPreKeyStore(db, now),
    kyberPreKey: new SqliteKyberPreKeyStore(db, now),
    senderKey: new SqliteSenderKeyStore(db, now),
  };
}
