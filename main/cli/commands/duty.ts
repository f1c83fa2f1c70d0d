import { stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';
import { RoleService } from '../../core/roles/role-service.js';

export const command: CliCommand = {
  name: 'duty',
  summary:
    'Start or stop being on duty in a duty role ("Duty doctor"): messages to the role then reach ' +
    'you (or stop reaching you). Prints the role with everyone now on duty in it (JSON).',
  usage: '(start | stop) --profile <dir> --role <role name>',
  verbs: ['start', 'stop'],
  options: { profile: { type: 'string' }, role: { type: 'string' } },
  required: ['profile', 'role'],
  async run(values, io) {
    const onDuty = values.verb === 'start';
    const role = await withCore(stringOption(values, 'profile'), io, (core) =>
      new RoleService(core).setDuty(stringOption(values, 'role'), onDuty),
    );
    io.out(
      JSON.stringify({
        roleId: role.roleId,
        role: role.name,
        onDuty: role.onDuty,
        holders: role.holders.map((h) => ({ accountId: h.accountId, displayName: h.displayName })),
      }),
    );
    return 0;
  },
};
