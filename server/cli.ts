import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isMessengerError } from '../shared/errors.js';
import {
  gmcNumberSchema,
  nmcPinSchema,
  roles,
  sdsUserIdSchema,
  type ProfessionalIds,
  type Role,
} from '../shared/protocol/index.js';
import {
  accountInScope,
  changeRole,
  defaultCodeLifetimeHours,
  defaultOrg,
  issueEnrolmentCode,
  listAccounts,
  revokeAccess,
} from './admin.js';
import { installServeHooks } from './admin/serve-hooks.js';
import {
  adminCommandOptions,
  adminUsage,
  enrolCsvOptions,
  type AdminCommand,
} from './cli-admin-options.js';
import { createRelayLogger, logLevels, type LogLevel } from './log.js';
import { startRelay } from './relay.js';
import { auditRetentionDefaultDays, defaultLimits } from './relay-services.js';
import { relayDatabaseFile, SqliteRelayStorage } from './storage/sqlite-relay-storage.js';
import { isPostgresUrl, PostgresRelayStorage } from './storage/postgres-relay-storage.js';
import type { RelayStorage } from './storage/relay-storage.js';
import { roleUsage } from './roles/role-cli.js';
import {
  OrgQuotaUsageError,
  orgQuotaFlags,
  orgUsage,
  quotaFromFlags,
  runOrgQuota,
} from './admin/org-quota-cli.js';

const usage = `Usage: pmsg relay <command> [options]

Commands:
  serve   --data <dir> | --database postgres://… [--host 127.0.0.1] [--port <n>] [--tls-cert <file> --tls-key <file>]
          [--log-level debug|info|warn|error]
          [--max-preauth-per-address <n>] [--max-preauth-total <n>] [--audit-retention-days <n>]
          [--max-devices-per-person <n>]
          Run the relay (creating the --data folder and its database, or the relay's tables in
          the --database, if needed). Several serve processes may share one --database: a device
          on any of them receives at once what is sent through another. Connections
          not yet authenticated are capped per address (default ${defaultLimits.maxPreAuthPerAddress}) and in total
          (default ${defaultLimits.maxPreAuthTotal}); behind a reverse proxy raise the per-address cap. Prints {"event":"listening","url":...} as its first stdout line;
          logs are JSON lines on stderr. Stops cleanly on SIGTERM or SIGINT; on SIGHUP reloads
          --tls-cert and --tls-key (open connections stay).
          --audit-retention-days: how long the practice audit trail keeps a record (default
          ${auditRetentionDefaultDays}, 8 years; 0 keeps it for ever; docs/clinical-safety/dpia.md).
  enrol   --data <dir> | --database <url> --name <display name> --role <role> [--org <name>] [--expires-hours <h>]
          [--gmc <7 digits>] [--nmc <NMC PIN>] [--sds-user-id <12 digits>]
  enrol   --data <dir> | --database <url> --account <accountId> [--org <name>] [--expires-hours <h>]
          Issue a one-time enrolment code, for a new person or for one more device of an
          existing account. Prints {"code","accountId","expiresAt",...}. Safe while serve runs.
          --gmc, --nmc, --sds-user-id: the person's GMC number, NMC PIN (12A3456E) or NHS
          smartcard (SDS) user id, listed in the directory for their record entries.
  revoke  --data <dir> | --database <url> --account <accountId> [--org <name>] [--device <id>] [--no-wipe]
          Revoke an account (or one device). Its token stops working and its socket is closed
          at once; unless --no-wipe, the device is told to erase its data on next contact.
  list    --data <dir> | --database <url> [--org <name>]
          Print every account (or those of one organisation) with its devices as JSON.
  set-role --data <dir> | --database <url> --account <accountId> --role <role> [--org <name>]
          Give a member of staff another role (e.g. a receptionist becoming practice manager).
          Recorded in the practice audit trail. Prints {"accountId","from","to"}.
  audit verify --data <dir> | --database <url> [--org <name>]
          Check the practice audit trail on the relay's own storage (no relay need run): each
          organisation's hash chain from its anchor and the relay's signatures. Prints
          {"ok","events","firstBrokenAt"?,"brokenOrg"?,"reason"?,"orgs":[...]}; exits 1 when a
          chain is broken (firstBrokenAt: the first seq that does not fit).
${adminUsage}
${roleUsage}
${orgUsage}

Every command takes exactly one of --data (SQLite, the default) and --database (PostgreSQL).
On a relay hosting several organisations, --org limits list, revoke, set-role, enrol --account and
audit verify to one: an account of another organisation is then "not found".
Roles: ${roles.join(', ')}. Default org: "${defaultOrg}". Codes expire after ${defaultCodeLifetimeHours} h by default.`;

class UsageError extends Error {}

const commandOptions = {
  serve: {
    data: { type: 'string' },
    database: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'log-level': { type: 'string' },
    'max-preauth-per-address': { type: 'string' },
    'max-preauth-total': { type: 'string' },
    'max-devices-per-person': { type: 'string' },
    'audit-retention-days': { type: 'string' },
  },
  enrol: {
    data: { type: 'string' },
    database: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    org: { type: 'string' },
    account: { type: 'string' },
    'expires-hours': { type: 'string' },
    gmc: { type: 'string' },
    nmc: { type: 'string' },
    'sds-user-id': { type: 'string' },
    ...enrolCsvOptions,
  },
  revoke: {
    data: { type: 'string' },
    database: { type: 'string' },
    org: { type: 'string' },
    account: { type: 'string' },
    device: { type: 'string' },
    'no-wipe': { type: 'boolean' },
  },
  list: { data: { type: 'string' }, database: { type: 'string' }, org: { type: 'string' } },
  'set-role': {
    data: { type: 'string' },
    database: { type: 'string' },
    org: { type: 'string' },
    account: { type: 'string' },
    role: { type: 'string' },
  },
  audit: { data: { type: 'string' }, database: { type: 'string' }, org: { type: 'string' } },
  org: {
    data: { type: 'string' },
    database: { type: 'string' },
    org: { type: 'string' },
    ...Object.fromEntries(Object.keys(orgQuotaFlags).map((flag) => [flag, { type: 'string' }])),
  } as Record<string, { type: 'string' }>,
  ...adminCommandOptions,
} satisfies Record<string, ParseArgsConfig['options']>;
type Command = keyof typeof commandOptions;

/** `pmsg relay ...`: returns the exit code (0 ok, 1 failed, 2 bad arguments). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? process.stderr : process.stdout).write(`${usage}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === 'role' && !rest.includes('--help') && !rest.includes('-h')) {
    return runRole(rest);
  }
  if (!(command in commandOptions) && command !== 'role') {
    process.stderr.write(`Unknown command "${command}". Run \`pmsg relay --help\`.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  try {
    // `audit` has one subcommand so far: `audit verify`.
    if (command === 'audit') {
      if (rest[0] !== 'verify') {
        throw new UsageError(
          `unknown audit command${rest[0] === undefined ? '' : ` "${rest[0]}"`}: use \`pmsg relay audit verify --data <dir> | --database <url> [--org <name>]\`.`,
        );
      }
      rest.shift();
    }
    // `org set-quota` and `org show`: an organisation's quotas.
    let orgVerb: 'set-quota' | 'show' = 'show';
    if (command === 'org') {
      if (rest[0] !== 'set-quota' && rest[0] !== 'show') {
        throw new UsageError(
          `unknown org command${rest[0] === undefined ? '' : ` "${rest[0]}"`}: use \`pmsg relay org set-quota\` or \`pmsg relay org show\` with --data <dir> | --database <url> --org <name>.`,
        );
      }
      orgVerb = rest.shift() as 'set-quota' | 'show';
    }
    const options = parse(command as Command, rest);
    switch (command as Command) {
      case 'serve':
        return await serve(options);
      case 'enrol':
        return await enrol(options);
      case 'revoke':
        return await revoke(options);
      case 'list':
        return await withStorage(options, async (storage) => {
          print({ accounts: await listAccounts(storage, orgScope(options)) });
          return 0;
        });
      case 'set-role':
        return await setRole(options);
      case 'audit':
        return await auditVerify(options);
      case 'org':
        return await orgQuota(orgVerb, options);
      case 'backup':
      case 'restore':
      case 'check':
        return await runAdminCommand(command as 'backup' | 'restore' | 'check', options);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `pmsg relay ${command}: ${error.message}\nRun \`pmsg relay --help\` for usage.\n`,
      );
      return 2;
    }
    process.stderr.write(
      `pmsg relay ${command}: ${isMessengerError(error) || error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  return 2;
}

type Options = Record<string, string | boolean | undefined>;

function parse(command: Command, args: string[]): Options {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: commandOptions[command],
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}".`);
    const database = (values as { database?: unknown }).database;
    const hasData = typeof values.data === 'string' && values.data !== '';
    const hasDatabase = typeof database === 'string' && database !== '';
    if (hasData === hasDatabase) {
      throw new UsageError(
        'give exactly one of --data <dir> (the folder of the relay’s SQLite database) and --database postgres://user@host/db (a PostgreSQL database).',
      );
    }
    if (hasDatabase && !isPostgresUrl(String(database))) {
      throw new UsageError(
        '--database must be a PostgreSQL URL starting postgres:// or postgresql://, e.g. postgres://pmsg@db.example/pmsg.',
      );
    }
    return values as Options;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function integer(
  value: string | boolean | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value) || n < min || n > max) {
    throw new UsageError(
      `${flag} must be a whole number from ${min} to ${max}, not "${String(value)}".`,
    );
  }
  return n;
}

async function serve(options: Options): Promise<number> {
  const port = integer(options.port, '--port', 0, 65535) ?? 0;
  const logLevel = (options['log-level'] ?? 'info') as LogLevel;
  if (!logLevels.includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${logLevels.join(', ')}.`);
  }
  const certFile = options['tls-cert'];
  const keyFile = options['tls-key'];
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('give both --tls-cert and --tls-key (PEM files), or neither.');
  }
  const tls =
    typeof certFile === 'string' && typeof keyFile === 'string'
      ? { cert: readFileSync(certFile), key: readFileSync(keyFile) }
      : undefined;
  const maxPreAuthPerAddress = integer(
    options['max-preauth-per-address'],
    '--max-preauth-per-address',
    1,
    1_000_000,
  );
  const maxPreAuthTotal = integer(
    options['max-preauth-total'],
    '--max-preauth-total',
    1,
    1_000_000,
  );
  const maxDevicesPerPerson = integer(
    options['max-devices-per-person'],
    '--max-devices-per-person',
    1,
    127,
  );
  const auditDays = integer(options['audit-retention-days'], '--audit-retention-days', 0, 36_500);
  const relay = await startRelay({
    dataDir: String(options.data ?? ''),
    ...(typeof options.database === 'string' ? { databaseUrl: options.database } : {}),
    limits: {
      ...(auditDays === undefined ? {} : { auditRetentionMs: auditDays * 24 * 3600_000 }),
      ...(maxPreAuthPerAddress === undefined ? {} : { maxPreAuthPerAddress }),
      ...(maxPreAuthTotal === undefined ? {} : { maxPreAuthTotal }),
      ...(maxDevicesPerPerson === undefined ? {} : { maxDevicesPerPerson }),
    },
    host: typeof options.host === 'string' ? options.host : '127.0.0.1',
    port,
    logLevel,
    ...(tls ? { tls } : {}),
  });
  print({ event: 'listening', url: relay.url });
  const removeHooks = installServeHooks(relay, {
    dataDir: String(options.data),
    ...(typeof certFile === 'string' && typeof keyFile === 'string' ? { certFile, keyFile } : {}),
    logger: createRelayLogger(logLevel),
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  removeHooks();
  await relay.close();
  return 0;
}

async function enrol(options: Options): Promise<number> {
  if (options.csv !== undefined) return runAdminCommand('enrol-csv', options);
  const lifetime =
    options['expires-hours'] === undefined ? undefined : Number(options['expires-hours']);
  if (lifetime !== undefined && !(lifetime > 0 && lifetime <= 24 * 90)) {
    throw new UsageError(
      '--expires-hours must be a number of hours above 0 and at most 2160 (90 days).',
    );
  }
  const accountId = options.account;
  if (typeof accountId === 'string') {
    if (['name', 'role', 'gmc', 'nmc', 'sds-user-id'].some((key) => options[key] !== undefined)) {
      throw new UsageError(
        'with --account (another device of an existing account) leave out --name, --role, --gmc, --nmc and --sds-user-id (--org only checks that the account is in that organisation).',
      );
    }
    const org = orgScope(options);
    return withStorage(options, async (storage) => {
      await accountInScope(storage, accountId, org);
      print(await issueEnrolmentCode(storage, { accountId }, lifetime));
      return 0;
    });
  }
  const name = typeof options.name === 'string' ? options.name.trim() : '';
  if (name === '' || name.length > 100) {
    throw new UsageError(
      '--name <display name> is required (1-100 characters), e.g. --name "Dr A Patel".',
    );
  }
  const role = options.role as Role;
  if (!roles.includes(role)) {
    throw new UsageError(
      `--role must be one of ${roles.join(', ')}${options.role === undefined ? '' : `, not "${String(options.role)}"`}.`,
    );
  }
  const org = typeof options.org === 'string' ? options.org.trim() : defaultOrg;
  if (org === '' || org.length > 100) throw new UsageError('--org must be 1-100 characters.');
  const ids = professionalIds(options);
  return withStorage(options, async (storage) => {
    print(await issueEnrolmentCode(storage, { displayName: name, role, org, ...ids }, lifetime));
    return 0;
  });
}

/** --gmc, --nmc, --sds-user-id, each checked against its format (spaces ignored, NMC upper-cased). */
function professionalIds(options: Options): ProfessionalIds {
  const ids: ProfessionalIds = {};
  const flags = [
    ['gmc', 'gmcNumber', gmcNumberSchema],
    ['nmc', 'nmcPin', nmcPinSchema],
    ['sds-user-id', 'sdsUserId', sdsUserIdSchema],
  ] as const;
  for (const [flag, key, schema] of flags) {
    const value = options[flag];
    if (value === undefined) continue;
    const parsed = schema.safeParse(String(value).replace(/\s+/g, '').toUpperCase());
    if (!parsed.success) {
      throw new UsageError(`--${flag}: ${parsed.error.issues[0]?.message ?? 'not valid'}.`);
    }
    ids[key] = parsed.data;
  }
  return ids;
}

async function revoke(options: Options): Promise<number> {
  const accountId = options.account;
  if (typeof accountId !== 'string' || accountId === '') {
    throw new UsageError('--account <accountId> is required (see `pmsg relay list`).');
  }
  const deviceId = integer(options.device, '--device', 1, 127);
  return withStorage(options, async (storage) => {
    const org = orgScope(options);
    const devices = await revokeAccess(storage, accountId, {
      ...(deviceId === undefined ? {} : { deviceId }),
      ...(org === undefined ? {} : { org }),
      wipe: options['no-wipe'] !== true,
    });
    print({
      accountId,
      revoked: devices.map((d) => ({ deviceId: d.deviceId, wipe: d.wipe })),
    });
    return 0;
  });
}

async function setRole(options: Options): Promise<number> {
  const accountId = options.account;
  if (typeof accountId !== 'string' || accountId === '') {
    throw new UsageError('--account <accountId> is required (see `pmsg relay list`).');
  }
  const newRole = options.role as Role;
  if (!roles.includes(newRole)) {
    throw new UsageError(
      `--role must be one of ${roles.join(', ')}${options.role === undefined ? '' : `, not "${String(options.role)}"`}.`,
    );
  }
  const org = orgScope(options);
  return withStorage(options, async (storage) => {
    print(await changeRole(storage, accountId, newRole, org));
    return 0;
  });
}

async function auditVerify(options: Options): Promise<number> {
  const org = orgScope(options);
  return withStorage(options, async (storage) => {
    const { verifyRelayAudit } = await import('./admin/audit-verify.js');
    const result = await verifyRelayAudit(storage, org);
    print(result);
    return result.ok ? 0 : 1;
  });
}

async function orgQuota(verb: 'set-quota' | 'show', options: Options): Promise<number> {
  const org = orgScope(options);
  if (org === undefined)
    throw new UsageError('--org <name> is required: quotas are per organisation.');
  if (verb === 'show') {
    const flag = Object.keys(orgQuotaFlags).find((f) => options[f] !== undefined);
    if (flag) throw new UsageError(`--${flag} sets a quota: use \`org set-quota\`.`);
  } else {
    // Check the flags before opening the store, so bad usage exits 2 without touching it.
    try {
      quotaFromFlags(
        { maxDevices: null, maxQueuedEnvelopes: null, maxQueuedBytes: null, maxBlobBytes: null },
        options,
      );
    } catch (error) {
      if (error instanceof OrgQuotaUsageError) throw new UsageError(error.message);
      throw error;
    }
  }
  return withStorage(options, async (storage) => {
    print(await runOrgQuota(storage, verb, org, options));
    return 0;
  });
}

/** --org on list, revoke and enrol --account: the organisation the command is limited to. */
function orgScope(options: Options): string | undefined {
  if (options.org === undefined) return undefined;
  const org = String(options.org).trim();
  if (org === '' || org.length > 100) throw new UsageError('--org must be 1-100 characters.');
  return org;
}

async function withStorage(
  options: Options,
  work: (storage: RelayStorage) => Promise<number>,
): Promise<number> {
  // Only serve creates a relay: a mistyped folder or database here would otherwise become a new,
  // empty relay whose codes no running relay knows.
  if (typeof options.database === 'string') {
    const storage = await PostgresRelayStorage.open(options.database, { poolSize: 2 });
    try {
      return await work(storage);
    } finally {
      await storage.close();
    }
  }
  const folder = path.resolve(String(options.data));
  if (!existsSync(path.join(folder, relayDatabaseFile))) {
    throw new UsageError(
      `${folder} holds no relay database (${relayDatabaseFile}). Give the --data folder of the relay, as used by \`pmsg relay serve\`.`,
    );
  }
  const storage = new SqliteRelayStorage(String(options.data));
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}

async function runRole(rest: string[]): Promise<number> {
  try {
    return await roleCommand(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `pmsg relay role: ${error.message}\nRun \`pmsg relay --help\` for usage.\n`,
      );
      return 2;
    }
    process.stderr.write(
      `pmsg relay role: ${isMessengerError(error) || error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}

/** `role create|list|delete`: its own verbs and options; the store options checked as for the rest. */
async function roleCommand(rest: string[]): Promise<number> {
  const roles = await import('./roles/role-cli.js');
  try {
    const { values } = roles.parseRoleArgs(rest);
    // Exactly one of --data and --database, checked as for every other command.
    parse('list', [
      ...(values.data === undefined ? [] : ['--data', values.data]),
      ...(values.database === undefined ? [] : ['--database', values.database]),
    ]);
  } catch (error) {
    if (error instanceof roles.RoleUsageError) throw new UsageError(error.message);
    throw error;
  }
  try {
    return await roles.runRoleCommand(rest, withStorage, print);
  } catch (error) {
    if (error instanceof roles.RoleUsageError) throw new UsageError(error.message);
    throw error;
  }
}

/** The IT commands, loaded only when one runs. */
async function runAdminCommand(command: AdminCommand, options: Options): Promise<number> {
  const admin = await import('./cli-admin.js');
  return admin.runAdminCommand(command, options);
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
