import { stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';
import { RoleService } from '../../core/roles/role-service.js';

export const command: CliCommand = {
  name: 'directory',
  summary:
    'List the people of the practice directory, then its duty roles with who is on duty in each ' +
    '(one JSON array: people have "kind":"person" and "onDuty" role names, roles "kind":"role" ' +
    'and "holders").',
  usage: '--profile <dir>',
  options: { profile: { type: 'string' } },
  required: ['profile'],
  async run(values, io) {
    const { accounts, roles } = await withCore(
      stringOption(values, 'profile'),
      io,
      async (core) => {
        const accounts = await core.refreshDirectory();
        return { accounts, roles: await new RoleService(core).list() };
      },
    );
    const dutyOf = (accountId: string) =>
      roles.filter((r) => r.holders.some((h) => h.accountId === accountId)).map((r) => r.name);
    io.out(
      JSON.stringify([
        ...accounts.map((a) => ({
          kind: 'person',
          accountId: a.accountId,
          displayName: a.displayName,
          role: a.role,
          org: a.org,
          onDuty: dutyOf(a.accountId),
        })),
        ...roles.map((r) => ({
          kind: 'role',
          roleId: r.roleId,
          name: r.name,
          escalateAfterMs: r.escalateAfterMs,
          escalateTo: r.escalateTo?.name ?? null,
          holders: r.holders.map((h) => ({
            accountId: h.accountId,
            displayName: h.displayName,
            since: h.since,
          })),
        })),
      ]),
    );
    return 0;
  },
};
