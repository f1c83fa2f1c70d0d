/**
 * The IT commands of `pmsg relay` beside serve/enrol/revoke/list: backup, restore, check, and
 * enrol --csv (a whole practice with printable letters). Kept out of cli.ts, which only routes
 * here (loaded on demand, so the other commands start no slower); each returns the exit code
 * (0 ok, 1 failed, 2 bad usage) and prints JSON on stdout. Options and usage: cli-admin-options.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMessengerError } from '../shared/errors.js';
import { defaultCodeLifetimeHours, defaultOrg } from './admin.js';
import { checkRelay } from './admin/relay-check.js';
import { enrolStaff, LettersFolderInUse, prepareLettersFolder } from './admin/enrol-staff.js';
import { AdminRefusal, backupRelay, restoreRelay } from './admin/relay-backup.js';
import { parseStaffCsv, StaffCsvError } from './admin/staff-csv.js';
import type { AdminCommand } from './cli-admin-options.js';
import { PostgresRelayStorage } from './storage/postgres-relay-storage.js';
import type { RelayStorage } from './storage/relay-storage.js';
import { relayDatabaseFile, SqliteRelayStorage } from './storage/sqlite-relay-storage.js';

type Options = Record<string, string | boolean | undefined>;

class AdminUsageError extends Error {}

export async function runAdminCommand(command: AdminCommand, options: Options): Promise<number> {
  const name = command === 'enrol-csv' ? 'enrol' : command;
  try {
    switch (command) {
      case 'backup':
        return await backup(options);
      case 'restore':
        return restore(options);
      case 'check':
        return await check(options);
      case 'enrol-csv':
        return await enrolCsv(options);
    }
  } catch (error) {
    const usage =
      error instanceof AdminUsageError ||
      error instanceof StaffCsvError ||
      error instanceof LettersFolderInUse;
    const message =
      isMessengerError(error) || error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `pmsg relay ${name}: ${message}${usage ? '\nRun `pmsg relay --help` for usage.' : ''}\n`,
    );
    // A refusal (a relay serving the folder, a backup file already there) is not bad usage.
    return usage && !(error instanceof AdminRefusal) ? 2 : 1;
  }
}

function text(options: Options, flag: string, what: string): string {
  const value = options[flag];
  if (typeof value !== 'string' || value === '')
    throw new AdminUsageError(`--${flag} ${what} is required.`);
  return value;
}

function dataFolderWithDatabase(options: Options): string {
  const folder = path.resolve(String(options.data));
  if (!existsSync(path.join(folder, relayDatabaseFile))) {
    throw new AdminUsageError(
      `${folder} holds no relay database (${relayDatabaseFile}). Give the --data folder of the relay, as used by \`pmsg relay serve\`.`,
    );
  }
  return folder;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Where PostgreSQL's own backups are described; named by backup and restore refusals. */
const postgresBackupDocs =
  'docs/deployment.md, "Hosted: several relay nodes on PostgreSQL", Backups';

async function backup(options: Options): Promise<number> {
  if (typeof options.database === 'string') {
    // A copy of one relay's tables would miss what PostgreSQL's tools keep (WAL, roles, a
    // point in time) and be no faster; the hosted database is backed up as a database.
    throw new AdminUsageError(
      `a relay on PostgreSQL is backed up with PostgreSQL's own tools, not this command: continuous WAL archiving with pg_basebackup (or pgBackRest, Barman), or at least a nightly \`pg_dump -Fc\` of the database (${postgresBackupDocs}).`,
    );
  }
  const out = text(options, 'out', '<file>');
  print(await backupRelay(dataFolderWithDatabase(options), out));
  return 0;
}

function restore(options: Options): number {
  if (typeof options.database === 'string') {
    throw new AdminUsageError(
      `a relay on PostgreSQL is restored with PostgreSQL's own tools, not this command: stop every node, then \`pg_restore --clean -d <database> <file>\` of a \`pg_dump -Fc\` dump, or a restore of your pg_basebackup base backups and WAL archive, then start the nodes (${postgresBackupDocs}).`,
    );
  }
  const from = text(options, 'from', '<backup file>');
  print(restoreRelay(path.resolve(String(options.data)), from));
  return 0;
}

async function check(options: Options): Promise<number> {
  const port = options.port === undefined ? undefined : Number(options.port);
  if (
    port !== undefined &&
    !(Number.isInteger(port) && port >= 1 && port <= 65535 && /^[0-9]+$/.test(String(options.port)))
  ) {
    throw new AdminUsageError(
      `--port must be a whole number from 1 to 65535, not "${String(options.port)}".`,
    );
  }
  if (options['tls-key'] !== undefined && options['tls-cert'] === undefined) {
    throw new AdminUsageError('--tls-key is checked against --tls-cert: give both.');
  }
  const report = await checkRelay({
    ...(typeof options.database === 'string'
      ? { databaseUrl: options.database }
      : { dataDir: path.resolve(String(options.data)) }),
    ...(typeof options.host === 'string' ? { host: options.host } : {}),
    ...(port === undefined ? {} : { port }),
    ...(typeof options['tls-cert'] === 'string' ? { certFile: options['tls-cert'] } : {}),
    ...(typeof options['tls-key'] === 'string' ? { keyFile: options['tls-key'] } : {}),
  });
  print(report);
  return report.ok ? 0 : 1;
}

async function enrolCsv(options: Options): Promise<number> {
  for (const flag of ['name', 'role', 'org', 'account', 'gmc', 'nmc', 'sds-user-id']) {
    if (options[flag] !== undefined) {
      throw new AdminUsageError(
        `with --csv the staff list gives each person; leave out --${flag}.`,
      );
    }
  }
  const csvFile = text(options, 'csv', '<staff.csv>');
  const lettersDir = text(options, 'letters', '<dir> (where the letters are written)');
  const relayUrl = text(options, 'relay-url', '<https://...> (the address printed on the letters)');
  let url: URL;
  try {
    url = new URL(relayUrl);
  } catch {
    throw new AdminUsageError(
      `--relay-url must be a URL such as https://relay.example.nhs.uk:8443, not "${relayUrl}".`,
    );
  }
  if (url.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw new AdminUsageError(
      '--relay-url must be https:// (the app refuses plain http except for localhost).',
    );
  }
  const lifetime =
    options['expires-hours'] === undefined
      ? defaultCodeLifetimeHours
      : Number(options['expires-hours']);
  if (!(lifetime > 0 && lifetime <= 24 * 90)) {
    throw new AdminUsageError(
      '--expires-hours must be a number of hours above 0 and at most 2160 (90 days).',
    );
  }
  const folder = typeof options.database === 'string' ? null : dataFolderWithDatabase(options);
  let csv: string;
  try {
    csv = readFileSync(csvFile, 'utf8');
  } catch (error) {
    throw new AdminUsageError(
      `${csvFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  }
  const staff = parseStaffCsv(csv, defaultOrg);
  prepareLettersFolder(lettersDir);
  const storage: RelayStorage =
    folder === null
      ? await PostgresRelayStorage.open(String(options.database))
      : new SqliteRelayStorage(folder);
  try {
    const people = await enrolStaff(storage, staff, {
      relayUrl: url.href.replace(/\/$/, ''),
      lettersDir,
      lifetimeHours: lifetime,
    });
    print({ letters: path.resolve(lettersDir), relayUrl: url.href.replace(/\/$/, ''), people });
    return 0;
  } finally {
    await storage.close();
  }
}
