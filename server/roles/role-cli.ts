import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseRota, RotaCsvError } from './rota-csv.js';
import {
  escalateAfterMsSchema,
  parseDuration,
  roleLimits,
  roleNameSchema,
} from '../../shared/protocol/index.js';
import { defaultOrg } from '../admin.js';
import type { RelayStorage } from '../storage/relay-storage.js';
import { roleEntry } from './role-handlers.js';
import { RoleStore, type RoleView } from './role-store.js';

/**
 * `pmsg relay role create|list|delete`: the duty roles of an organisation, managed on the relay
 * host (managers may also do it from the app). Prints JSON; bad usage is a RoleUsageError
 * (exit 2), anything the store refuses exits 1.
 */
export const roleUsage = `  role create --data <dir> | --database <url> --name <role name> [--org <name>]
              [--escalate-after <10m|90s|1h> --escalate-to <role name>]
          Create a duty role ("Duty doctor"). A message to it that nobody acknowledges within
          --escalate-after goes to the --escalate-to role's holders, even with the sender's PC off.
  role list   --data <dir> | --database <url> [--org <name>]
          Print the roles (of every organisation, or one) with who is on duty in each.
  role delete --data <dir> | --database <url> --role <role name or id> [--org <name>]
          Delete a role (refused while another role escalates to it).
  role rota   --data <dir> | --database <url> --csv <rota.csv> [--org <name>]
          Import a duty rota (columns: date,session,role,staff; session am, pm, day or
          HH:MM-HH:MM in this host's local time; staff a display name or account id): each shift
          starts and ends duty by itself while the relay serves. Every row is checked first.`;

export class RoleUsageError extends Error {}

type WithStorage = (
  options: Record<string, string | boolean | undefined>,
  work: (storage: RelayStorage) => Promise<number>,
) => Promise<number>;

const options = {
  data: { type: 'string' },
  database: { type: 'string' },
  org: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  'escalate-after': { type: 'string' },
  'escalate-to': { type: 'string' },
  csv: { type: 'string' },
} as const;

const allowed: Record<string, readonly string[]> = {
  create: ['data', 'database', 'org', 'name', 'escalate-after', 'escalate-to'],
  list: ['data', 'database', 'org'],
  delete: ['data', 'database', 'org', 'role'],
  rota: ['data', 'database', 'org', 'csv'],
};

function view(role: RoleView) {
  return {
    ...roleEntry(role),
    org: role.org,
    holders: role.holders.map((h) => ({
      accountId: h.accountId,
      displayName: h.displayName,
      since: h.since,
    })),
  };
}

function orgOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  const org = value.trim();
  if (org === '' || org.length > 100) throw new RoleUsageError('--org must be 1-100 characters.');
  return org;
}

/** Parses `role <verb> ...` (without the store options check, which cli.ts does). */
export function parseRoleArgs(args: readonly string[]) {
  const [verb, ...rest] = args;
  if (verb === undefined || !(verb in allowed)) {
    throw new RoleUsageError(
      `say what to do with roles: \`pmsg relay role create|list|delete|rota\`${verb === undefined ? '' : ` (not "${verb}")`}.`,
    );
  }
  let values: Record<string, string | undefined>;
  try {
    const parsed = parseArgs({ args: [...rest], options, strict: true, allowPositionals: true });
    if (parsed.positionals.length > 0) {
      throw new RoleUsageError(`unexpected argument "${parsed.positionals[0]}".`);
    }
    values = parsed.values as Record<string, string | undefined>;
  } catch (error) {
    if (error instanceof RoleUsageError) throw error;
    throw new RoleUsageError(error instanceof Error ? error.message : String(error));
  }
  for (const key of Object.keys(values)) {
    if (!(allowed[verb] ?? []).includes(key)) {
      throw new RoleUsageError(`role ${verb} takes no --${key}.`);
    }
  }
  return { verb: verb as 'create' | 'list' | 'delete' | 'rota', values };
}

export async function runRoleCommand(
  args: readonly string[],
  withStorage: WithStorage,
  print: (value: unknown) => void,
): Promise<number> {
  const { verb, values } = parseRoleArgs(args);
  const org = orgOf(values.org);
  switch (verb) {
    case 'create': {
      const name = roleNameSchema.safeParse(values.name ?? '');
      if (values.name === undefined) throw new RoleUsageError('--name <role name> is required.');
      if (!name.success) throw new RoleUsageError(`--name: ${name.error.issues[0]?.message}.`);
      const after = values['escalate-after'];
      const to = values['escalate-to'];
      if ((after === undefined) !== (to === undefined)) {
        throw new RoleUsageError(
          '--escalate-after and --escalate-to go together: give both or neither.',
        );
      }
      let escalateAfterMs: number | null = null;
      if (after !== undefined) {
        const ms = parseDuration(after);
        if (ms === null || !escalateAfterMsSchema.safeParse(ms).success) {
          throw new RoleUsageError(
            `--escalate-after must be a duration such as 10m, 90s or 1h, from ${roleLimits.minEscalateAfterMs / 1000} s to ${roleLimits.maxEscalateAfterMs / 3600_000} h, not "${after}".`,
          );
        }
        escalateAfterMs = ms;
      }
      if (to !== undefined && to.trim() === '') {
        throw new RoleUsageError('--escalate-to needs the name of an existing role.');
      }
      return withStorage(values, async (storage) => {
        const role = await RoleStore.for(storage).createRole({
          org: org ?? defaultOrg,
          name: name.data,
          escalateAfterMs,
          escalateTo: to ?? null,
          now: Date.now(),
        });
        print(view(role));
        return 0;
      });
    }
    case 'list':
      return withStorage(values, async (storage) => {
        const store = RoleStore.for(storage);
        const orgs = org === null ? await store.organisations() : [org];
        const roles: ReturnType<typeof view>[] = [];
        for (const o of orgs) roles.push(...(await store.listRoles(o)).map(view));
        print({ roles });
        return 0;
      });
    case 'rota': {
      const file = values.csv;
      if (file === undefined || file === '')
        throw new RoleUsageError('--csv <rota.csv> is required.');
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new RoleUsageError(
          `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
        );
      }
      let shifts;
      try {
        shifts = parseRota(text);
      } catch (error) {
        if (error instanceof RotaCsvError) throw new RoleUsageError(error.message);
        throw error;
      }
      return withStorage(values, async (storage) => {
        const imported = await RoleStore.for(storage).importRota(org ?? defaultOrg, shifts);
        print({ imported: imported.length, shifts: imported });
        return 0;
      });
    }
    case 'delete': {
      const role = values.role;
      if (role === undefined || role.trim() === '') {
        throw new RoleUsageError(
          '--role <role name or id> is required (see `pmsg relay role list`).',
        );
      }
      return withStorage(values, async (storage) => {
        const deleted = await RoleStore.for(storage).deleteRole(org ?? defaultOrg, role);
        print({ deleted: { roleId: deleted.roleId, name: deleted.name, org: deleted.org } });
        return 0;
      });
    }
  }
}
