/**
 * Start a conversation with someone from the practice directory: focus starts in the search, and
 * Enter there opens the conversation when exactly one person matches.
 */
import { useId, useState } from 'react';
import type { RoleView } from '../../../../shared/ipc/role-schemas.js';
import { DutyRoles } from '../roles/DutyRoles.js';
import { RoleMessageDialog } from '../roles/RoleMessageDialog.js';
import type { ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { Avatar } from '../../components/Avatar.js';
import { Dialog } from '../../components/Dialog.js';
import { roleLabel } from '../../logic/format.js';
import { useDirectory } from './useDirectory.js';

interface Props {
  selfAccountId: string | null;
  /** A practice manager or admin: the directory also offers adding and deleting duty roles. */
  canManageRoles?: boolean;
  onClose(): void;
  onCreated(conversation: ConversationSummary): void;
}

export function NewConversationDialog({
  selfAccountId,
  canManageRoles = false,
  onClose,
  onCreated,
}: Props) {
  const { query, setQuery, entries, problem, start } = useDirectory(selfAccountId, onCreated);
  const searchId = useId();
  const [role, setRole] = useState<RoleView | null>(null);

  if (role) {
    return <RoleMessageDialog role={role} onClose={() => setRole(null)} onSent={onCreated} />;
  }
  return (
    <Dialog title="New conversation" onClose={onClose}>
      <div className="field">
        <label htmlFor={searchId}>Search the practice directory</label>
        <input
          id={searchId}
          type="search"
          data-autofocus
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            const only = entries?.length === 1 ? entries[0] : undefined;
            if (e.key === 'Enter' && only) {
              e.preventDefault();
              void start(only);
            }
          }}
        />
      </div>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {!query.trim() && <DutyRoles onMessage={setRole} canManage={canManageRoles} />}
      {entries === null ? (
        <p>Loading the directory…</p>
      ) : entries.length === 0 ? (
        <p>No one in the directory matches. Check the spelling, or ask your practice manager.</p>
      ) : (
        <ul className="directory-list">
          {entries.map((entry) => (
            <li key={entry.accountId}>
              <button type="button" className="directory-item" onClick={() => void start(entry)}>
                <Avatar name={entry.displayName} role={entry.role} size="small" />
                <span className="directory-name">{entry.displayName}</span>
                <span className="directory-role">{roleLabel(entry.role)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
