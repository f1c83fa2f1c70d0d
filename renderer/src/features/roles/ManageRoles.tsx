/**
 * A practice manager adds a duty role (with how long before an unacknowledged message escalates,
 * and to which role) or deletes one. The relay refuses anyone else; the form is only shown to
 * managers and admins.
 */
import { useId, useState } from 'react';
import type { RoleView } from '../../../../shared/ipc/role-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';

interface Props {
  roles: RoleView[];
  onChanged(): void;
}

export function ManageRoles({ roles, onChanged }: Props) {
  const [name, setName] = useState('');
  const [minutes, setMinutes] = useState('10');
  const [target, setTarget] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const nameId = useId();
  const minutesId = useId();
  const targetId = useId();

  const create = async () => {
    setProblem(null);
    const after = Number(minutes);
    if (target && !(Number.isInteger(after) && after >= 1 && after <= 1440)) {
      setProblem('Escalate after a whole number of minutes from 1 to 1440.');
      return;
    }
    try {
      await call(
        messenger().roles.create({
          name: name.trim(),
          escalateAfterMinutes: target ? after : null,
          escalateToRoleId: target || null,
        }),
      );
      setName('');
      onChanged();
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };
  const remove = async (role: RoleView) => {
    setProblem(null);
    try {
      await call(messenger().roles.delete({ roleId: role.roleId }));
      onChanged();
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  return (
    <details className="manage-roles">
      <summary>Manage duty roles</summary>
      <div className="field">
        <label htmlFor={nameId}>New role name</label>
        <input id={nameId} value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={targetId}>If not acknowledged, escalate to</label>
        <select id={targetId} value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">Does not escalate</option>
          {roles.map((r) => (
            <option key={r.roleId} value={r.roleId}>
              {r.name}
            </option>
          ))}
        </select>
      </div>
      {target && (
        <div className="field">
          <label htmlFor={minutesId}>Escalate after (minutes)</label>
          <input
            id={minutesId}
            inputMode="numeric"
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
          />
        </div>
      )}
      <button type="button" disabled={name.trim() === ''} onClick={() => void create()}>
        Add role
      </button>
      {roles.length > 0 && (
        <ul className="manage-roles-list">
          {roles.map((r) => (
            <li key={r.roleId}>
              {r.name}
              {r.escalateTo &&
                ` — escalates to ${r.escalateTo.name} after ${Math.round((r.escalateAfterMs ?? 0) / 60_000)} min`}{' '}
              <button type="button" onClick={() => void remove(r)}>
                Delete<span className="visually-hidden"> {r.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
    </details>
  );
}
