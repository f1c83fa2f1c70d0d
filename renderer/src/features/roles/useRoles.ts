/**
 * The practice's duty roles with who is on duty in each, and this user's duty in them.
 */
import { useCallback, useEffect, useState } from 'react';
import type { RoleView } from '../../../../shared/ipc/role-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';

export function useRoles() {
  const [roles, setRoles] = useState<RoleView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const reload = useCallback(() => {
    void call(messenger().roles.list({}))
      .then(({ roles: found }) => setRoles(found))
      .catch((error: unknown) => {
        setRoles([]);
        setProblem(errorMessage(error));
      });
  }, []);
  useEffect(reload, [reload]);

  const setDuty = async (role: RoleView, onDuty: boolean) => {
    setProblem(null);
    try {
      const { role: updated } = await call(
        messenger().roles.setDuty({ roleId: role.roleId, onDuty }),
      );
      setRoles(
        (current) => current?.map((r) => (r.roleId === updated.roleId ? updated : r)) ?? null,
      );
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  return { roles, problem, setDuty, reload };
}
