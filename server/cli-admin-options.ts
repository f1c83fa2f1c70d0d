/**
 * The options and usage text of the IT commands (cli-admin.ts), apart from their code so that
 * cli.ts can list them without loading it.
 */
export const adminUsage = `  backup  --data <dir> --out <file>
          Copy the relay database to <file> while the relay serves (one consistent snapshot,
          checked after copying). Never overwrites. Prints {"backup","bytes","queuedEnvelopes",...}.
          With --database <url>: refused (exit 2); back PostgreSQL up with its own tools,
          pg_basebackup with WAL archiving or pg_dump -Fc (docs/deployment.md, "Hosted: several
          relay nodes on PostgreSQL", Backups).
  restore --data <dir> --from <file>
          Put a backup in place. Refused while a relay serves <dir>; the database it replaces is
          kept beside it as relay.sqlite.before-restore-<time>. With --database <url>: refused
          (exit 2); restore with pg_restore or your base backups (same section).
  check   --data <dir> | --database <url> [--host 127.0.0.1] [--port <n>] [--tls-cert <file> [--tls-key <file>]]
          Check the data folder and database (with --database: that PostgreSQL answers and holds
          a relay schema this relay knows), the certificate (expiry within 30 days fails; key
          match) and that the port answers with that certificate. Prints {"ok","checks":[...]};
          exits 1 when a check fails.
  enrol   --data <dir> | --database <url> --csv <staff.csv> --letters <dir> --relay-url <https://...> [--expires-hours <h>]
          A code for everyone in staff.csv (columns: name,role[,org,gmc,nmc,sds_user_id]) and one
          printable HTML letter each in the --letters folder (new or empty). Every row is checked
          before any code is issued.`;

export const adminCommandOptions = {
  backup: { data: { type: 'string' }, database: { type: 'string' }, out: { type: 'string' } },
  restore: { data: { type: 'string' }, database: { type: 'string' }, from: { type: 'string' } },
  check: {
    data: { type: 'string' },
    database: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
  },
} as const;

/** The options `enrol` gains for a whole staff list. */
export const enrolCsvOptions = {
  csv: { type: 'string' },
  letters: { type: 'string' },
  'relay-url': { type: 'string' },
} as const;

export type AdminCommand = keyof typeof adminCommandOptions | 'enrol-csv';
