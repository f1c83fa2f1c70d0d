/**
 * The group's members with their roles and who the admins are. An admin renames the group, adds
 * people from the practice directory and removes members; anyone may leave. Every change is signed on this
 * device and reaches every member as a notice in the group.
 */
import { useEffect, useId, useState } from 'react';
import type { GroupView } from '../../../../shared/ipc/group-schemas.js';
import type { Contact } from '../../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';
import { Avatar } from '../../components/Avatar.js';
import { Dialog } from '../../components/Dialog.js';
import { roleLabel } from '../../logic/format.js';

interface Props {
  group: GroupView;
  selfAccountId: string;
  problem: string | null;
  onAdd(accountId: string): Promise<boolean>;
  onRemove(accountId: string): Promise<boolean>;
  onLeave(): Promise<boolean>;
  onRename(name: string): Promise<boolean>;
  /** Opens the safety-number dialog for one member (this dialog closes first). */
  onShowSafetyNumber(accountId: string, name: string): void;
  onClose(): void;
}

export function GroupMembersDialog(props: Props) {
  const { group, selfAccountId } = props;
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Contact[]>([]);
  const [searchProblem, setSearchProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const searchId = useId();
  const nameId = useId();
  const [name, setName] = useState(group.name);
  const canManage = group.isAdmin && group.isMember;

  useEffect(() => {
    const trimmed = query.trim();
    if (!canManage || trimmed === '') {
      setFound([]);
      return;
    }
    const timer = setTimeout(() => {
      void call(messenger().directory.list({ query: trimmed }))
        .then(({ entries }) =>
          setFound(entries.filter((e) => !group.members.some((m) => m.accountId === e.accountId))),
        )
        .catch((error: unknown) => setSearchProblem(errorMessage(error)));
    }, 200);
    return () => clearTimeout(timer);
  }, [query, canManage, group.members]);

  const run = async (work: () => Promise<boolean>) => {
    setBusy(true);
    try {
      return await work();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`${group.name}: ${group.memberCount} members`} onClose={props.onClose}>
      {(props.problem ?? searchProblem) && (
        <p className="alert" role="alert">
          {props.problem ?? searchProblem}
        </p>
      )}
      {!group.isMember && (
        <p className="alert">
          You are no longer a member of this group. You can read what was said.
        </p>
      )}
      {canManage && (
        <form
          className="group-rename"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => props.onRename(name));
          }}
        >
          <div className="field">
            <label htmlFor={nameId}>Group name</label>
            <input
              id={nameId}
              value={name}
              maxLength={80}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <button
            type="submit"
            className="button-quiet"
            disabled={busy || name.trim() === '' || name.trim() === group.name}
          >
            Rename
          </button>
        </form>
      )}
      <ul className="group-member-list" aria-label="Members">
        {group.members.map((member) => {
          const self = member.accountId === selfAccountId;
          return (
            <li key={member.accountId} className="group-member">
              <Avatar name={member.displayName} role={member.role} size="small" />
              <span className="group-member-who">
                <span className="directory-name">{self ? 'You' : member.displayName}</span>
                <span className="directory-role">
                  {roleLabel(member.role)}
                  {member.admin && <span className="tag tag-admin">Admin</span>}
                </span>
              </span>
              {!self && (
                <span className="group-member-actions">
                  <button
                    type="button"
                    className="button-quiet"
                    onClick={() => props.onShowSafetyNumber(member.accountId, member.displayName)}
                  >
                    Safety number
                    <span className="visually-hidden"> with {member.displayName}</span>
                  </button>
                  {canManage && (
                    <button
                      type="button"
                      className="button-quiet"
                      disabled={busy}
                      onClick={() => void run(() => props.onRemove(member.accountId))}
                    >
                      Remove<span className="visually-hidden"> {member.displayName}</span>
                    </button>
                  )}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {canManage && (
        <>
          <div className="field">
            <label htmlFor={searchId}>Add someone from the practice directory</label>
            <input
              id={searchId}
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
          <ul className="directory-list">
            {found.map((entry) => (
              <li key={entry.accountId}>
                <button
                  type="button"
                  className="directory-item"
                  disabled={busy}
                  onClick={() =>
                    void run(async () => {
                      const done = await props.onAdd(entry.accountId);
                      if (done) setQuery('');
                      return done;
                    })
                  }
                >
                  <Avatar name={entry.displayName} role={entry.role} size="small" />
                  <span className="directory-name">Add {entry.displayName}</span>
                  <span className="directory-role">{roleLabel(entry.role)}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {group.isMember && (
        <div className="actions">
          <button
            type="button"
            className="button-danger"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                const done = await props.onLeave();
                if (done) props.onClose();
                return done;
              })
            }
          >
            Leave group
          </button>
        </div>
      )}
    </Dialog>
  );
}
