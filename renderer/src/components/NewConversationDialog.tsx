/** Start a conversation with someone from the practice directory. */
import { useEffect, useId, useState } from 'react';
import type { Contact, ConversationSummary } from '../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger } from '../api.js';
import { roleLabel } from '../logic/format.js';
import { Dialog } from './Dialog.js';

interface Props {
  selfAccountId: string | null;
  onClose(): void;
  onCreated(conversation: ConversationSummary): void;
}

export function NewConversationDialog({ selfAccountId, onClose, onCreated }: Props) {
  const [query, setQuery] = useState('');
  const [entries, setEntries] = useState<Contact[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const searchId = useId();

  useEffect(() => {
    const timer = setTimeout(
      () => {
        const trimmed = query.trim();
        void call(messenger().directory.list(trimmed ? { query: trimmed } : {}))
          .then(({ entries: found }) =>
            setEntries(found.filter((entry) => entry.accountId !== selfAccountId)),
          )
          .catch((error: unknown) => setProblem(errorMessage(error)));
      },
      query ? 200 : 0,
    );
    return () => clearTimeout(timer);
  }, [query, selfAccountId]);

  const start = async (contact: Contact) => {
    try {
      const { conversation } = await call(
        messenger().conversations.create({ participantIds: [contact.accountId] }),
      );
      onCreated(conversation);
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  return (
    <Dialog title="New conversation" onClose={onClose}>
      <div className="field">
        <label htmlFor={searchId}>Search the practice directory</label>
        <input
          id={searchId}
          type="search"
          autoFocus
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {entries === null ? (
        <p>Loading the directory…</p>
      ) : entries.length === 0 ? (
        <p>No one in the directory matches. Check the spelling, or ask your practice manager.</p>
      ) : (
        <ul className="directory-list">
          {entries.map((entry) => (
            <li key={entry.accountId}>
              <button type="button" className="directory-item" onClick={() => void start(entry)}>
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
