/**
 * Searching the practice directory (after a short pause while typing) for someone to start a
 * conversation with; the user themselves is left out.
 */
import { useEffect, useState } from 'react';
import type { Contact, ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';

const searchPauseMs = 200;

export function useDirectory(
  selfAccountId: string | null,
  onCreated: (conversation: ConversationSummary) => void,
) {
  const [query, setQuery] = useState('');
  const [entries, setEntries] = useState<Contact[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

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
      query ? searchPauseMs : 0,
    );
    return () => clearTimeout(timer);
  }, [query, selfAccountId]);

  /** Starts a conversation with this person and hands it to the list. */
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

  /** Creates a group with these people (and the user) and hands it to the list. */
  const startGroup = async (title: string, participantIds: string[]) => {
    try {
      const { conversation } = await call(
        messenger().conversations.create({ participantIds, title }),
      );
      onCreated(conversation);
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  return { query, setQuery, entries, problem, start, startGroup };
}
