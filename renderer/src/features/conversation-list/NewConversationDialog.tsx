/**
 * Start a conversation with someone from the practice directory: focus starts in the search, and
 * Enter there opens the conversation when exactly one person matches. "New group" switches to
 * choosing several people and naming the group; its creator and the practice managers in it are
 * its admins.
 */
import { useId, useState } from 'react';
import type { RoleView } from '../../../../shared/ipc/role-schemas.js';
import { DutyRoles } from '../roles/DutyRoles.js';
import { RoleMessageDialog } from '../roles/RoleMessageDialog.js';
import type { Contact, ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
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

/** A group holds at most 100 members, its creator included. */
const maxOthers = 99;

export function NewConversationDialog({
  selfAccountId,
  canManageRoles = false,
  onClose,
  onCreated,
}: Props) {
  const { query, setQuery, entries, problem, start, startGroup } = useDirectory(
    selfAccountId,
    onCreated,
  );
  const [grouping, setGrouping] = useState(false);
  const [chosen, setChosen] = useState<Map<string, Contact>>(new Map());
  const [name, setName] = useState('');
  const searchId = useId();
  const nameId = useId();
  const [role, setRole] = useState<RoleView | null>(null);

  const toggle = (entry: Contact) =>
    setChosen((current) => {
      const next = new Map(current);
      if (next.has(entry.accountId)) next.delete(entry.accountId);
      else if (next.size < maxOthers) next.set(entry.accountId, entry);
      return next;
    });
  const canCreate = chosen.size > 0 && name.trim().length > 0;

  if (role) {
    return <RoleMessageDialog role={role} onClose={() => setRole(null)} onSent={onCreated} />;
  }
  return (
    <Dialog title={grouping ? 'New group' : 'New conversation'} onClose={onClose}>
      {grouping ? (
        <div className="field">
          <label htmlFor={nameId}>Group name</label>
          <input
            id={nameId}
            data-autofocus
            maxLength={80}
            value={name}
            placeholder="e.g. Reception team"
            onChange={(e) => setName(e.target.value)}
          />
        </div>
      ) : (
        <p>
          <button type="button" className="button-quiet" onClick={() => setGrouping(true)}>
            New group…
          </button>
        </p>
      )}
      <div className="field">
        <label htmlFor={searchId}>
          {grouping ? 'Add people from the practice directory' : 'Search the practice directory'}
        </label>
        <input
          id={searchId}
          type="search"
          {...(grouping ? {} : { 'data-autofocus': true })}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            const only = entries?.length === 1 ? entries[0] : undefined;
            if (e.key === 'Enter' && only) {
              e.preventDefault();
              if (grouping) toggle(only);
              else void start(only);
            }
          }}
        />
      </div>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {grouping && (
        <p className="group-chosen" aria-live="polite">
          {chosen.size === 0
            ? 'No one chosen yet.'
            : `${chosen.size + 1} members with you: ${[...chosen.values()].map((c) => c.displayName).join(', ')}`}
        </p>
      )}
      {!grouping && !query.trim() && <DutyRoles onMessage={setRole} canManage={canManageRoles} />}
      {entries === null ? (
        <p>Loading the directory…</p>
      ) : entries.length === 0 ? (
        <p>No one in the directory matches. Check the spelling, or ask your practice manager.</p>
      ) : (
        <ul className="directory-list">
          {entries.map((entry) => (
            <li key={entry.accountId}>
              <button
                type="button"
                className="directory-item"
                {...(grouping ? { 'aria-pressed': chosen.has(entry.accountId) } : {})}
                onClick={() => (grouping ? toggle(entry) : void start(entry))}
              >
                <Avatar name={entry.displayName} role={entry.role} size="small" />
                <span className="directory-name">{entry.displayName}</span>
                <span className="directory-role">
                  {roleLabel(entry.role)}
                  {grouping && chosen.has(entry.accountId) ? ' · chosen' : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {grouping && (
        <div className="dialog-actions">
          <button type="button" className="button-quiet" onClick={() => setGrouping(false)}>
            Back
          </button>
          <button
            type="button"
            className="button-primary"
            disabled={!canCreate}
            onClick={() => void startGroup(name.trim(), [...chosen.keys()])}
          >
            Create group
          </button>
        </div>
      )}
    </Dialog>
  );
}
