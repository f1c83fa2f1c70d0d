/**
 * The directory's duty roles: each with who is on duty now, a button to message the role and
 * one to start or stop being on duty in it.
 */
import type { RoleView } from '../../../../shared/ipc/role-schemas.js';
import { ManageRoles } from './ManageRoles.js';
import { useRoles } from './useRoles.js';

interface Props {
  onMessage(role: RoleView): void;
  /** A practice manager or admin: may add and delete roles. */
  canManage: boolean;
}

export function holdersText(role: RoleView): string {
  return role.holders.length === 0
    ? 'Nobody on duty'
    : `On duty: ${role.holders.map((h) => h.displayName).join(', ')}`;
}

export function DutyRoles({ onMessage, canManage }: Props) {
  const { roles, problem, setDuty, reload } = useRoles();
  if (roles === null || (roles.length === 0 && !problem && !canManage)) return null;
  return (
    <section className="duty-roles" aria-label="Duty roles">
      <h3 className="duty-roles-title">Duty roles</h3>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <ul className="directory-list">
        {roles.map((role) => (
          <li key={role.roleId} className="duty-role" data-role={role.name}>
            <button type="button" className="directory-item" onClick={() => onMessage(role)}>
              <span className="directory-name">{role.name}</span>
              <span className="directory-role">{holdersText(role)}</span>
            </button>
            <button
              type="button"
              className="duty-toggle"
              aria-pressed={role.onDuty}
              onClick={() => void setDuty(role, !role.onDuty)}
            >
              {role.onDuty ? 'Stop duty' : 'Start duty'}
              <span className="visually-hidden"> as {role.name}</span>
            </button>
          </li>
        ))}
      </ul>
      {canManage && <ManageRoles roles={roles} onChanged={reload} />}
    </section>
  );
}
