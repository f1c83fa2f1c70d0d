/**
 * `pmsg relay backup` and `pmsg relay restore`. A backup is taken online, while the relay serves:
 * SQLite's backup API reads one consistent snapshot (WAL mode lets the relay keep writing
 * meanwhile), so every envelope committed before the snapshot is in the copy, and none half.
 * A restore swaps the database only while no relay serves the folder, and keeps the database it
 * replaces beside it, so a restore of the wrong file loses nothing.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { relayDatabaseFile } from '../storage/sqlite-relay-storage.js';
import {
  inspectRelayDatabase,
  relayDatabaseProblem,
  type RelayDatabaseReport,
} from './inspect-relay-database.js';
import { servingPid } from './serving-marker.js';

export class AdminRefusal extends Error {}

export interface BackupResult extends RelayDatabaseReport {
  backup: string;
  bytes: number;
  seconds: number;
}

export async function backupRelay(dataDir: string, outFile: string): Promise<BackupResult> {
  const source = path.join(dataDir, relayDatabaseFile);
  if (existsSync(outFile)) {
    throw new AdminRefusal(
      `${outFile} already exists; give a new file name (a backup never overwrites).`,
    );
  }
  const started = Date.now();
  // Written under another name and renamed once checked: an interrupted backup leaves no file
  // that looks like a good one.
  const partial = `${outFile}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // Every page in one step: one read snapshot, so a write by the serving relay between steps
    // cannot make SQLite start the copy again, and again.
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  chmodSync(partial, 0o600);
  const report = inspectRelayDatabase(partial);
  const problem = relayDatabaseProblem(report);
  if (problem) {
    rmSync(partial, { force: true });
    throw new Error(`the backup does not check out: ${problem}`);
  }
  renameSync(partial, outFile);
  return {
    backup: path.resolve(outFile),
    bytes: statSync(outFile).size,
    seconds: (Date.now() - started) / 1000,
    ...report,
  };
}

export interface RestoreResult extends RelayDatabaseReport {
  restored: string;
  /** Where the database that was replaced now is, or null when the folder had none. */
  previous: string | null;
}

export function restoreRelay(dataDir: string, fromFile: string, now = new Date()): RestoreResult {
  const pid = servingPid(dataDir);
  if (pid !== null) {
    throw new AdminRefusal(
      `a relay (process ${pid}) is serving ${dataDir}; stop it first (systemctl stop practice-messenger-relay), then restore.`,
    );
  }
  if (!existsSync(fromFile)) throw new AdminRefusal(`the backup ${fromFile} does not exist.`);
  const report = inspectRelayDatabase(fromFile);
  const problem = relayDatabaseProblem(report);
  if (problem) throw new AdminRefusal(`${fromFile} cannot be restored: ${problem}.`);

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const target = path.join(dataDir, relayDatabaseFile);
  let previous: string | null = null;
  if (existsSync(target)) {
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    previous = `${target}.before-restore-${stamp}`;
    // The live file's -wal holds its latest commits: fold them in before moving it aside.
    const db = new Database(target, { fileMustExist: true });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    renameSync(target, previous);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(target + suffix)) renameSync(target + suffix, previous + suffix);
    }
  }
  copyFileSync(fromFile, target);
  chmodSync(target, 0o600);
  return { restored: path.resolve(target), previous, ...report };
}
