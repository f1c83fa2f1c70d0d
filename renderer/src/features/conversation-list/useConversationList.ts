/**
 * The conversation list: searched in the core (names and message text) after a short pause so
 * typing does not make a call per key, and kept current by main's events. While a search is
 * shown, an update asks again rather than adding a conversation the search would not find.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { call, messenger, useMessengerEvent } from '../../api.js';
import { upsertConversation } from '../../logic/conversation-list.js';

const searchPauseMs = 200;

export function useConversationList(onProblem: (error: unknown) => void) {
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [query, setQuery] = useState('');
  // Until the first answer the list is not known to be empty: say it is loading, not "none".
  const [loaded, setLoaded] = useState(false);

  const load = useCallback(async (search: string) => {
    const trimmed = search.trim();
    const { conversations: listed } = await call(
      messenger().conversations.list(trimmed ? { query: trimmed } : {}),
    );
    setConversations(listed);
    setLoaded(true);
  }, []);

  useEffect(() => {
    // The whole list at once: at unlock its call goes out before the top bar's (advice count,
    // account), which the core then answers after it.
    if (!query) {
      void load('').catch(onProblem);
      return;
    }
    const timer = setTimeout(() => void load(query).catch(onProblem), searchPauseMs);
    return () => clearTimeout(timer);
  }, [load, query]);

  /** Loads the list again (e.g. after a safety number was acknowledged); failures stay quiet. */
  const reload = () => void load(query).catch(() => undefined);

  useMessengerEvent('conversation.updated', ({ conversation }) => {
    if (query.trim()) reload();
    else setConversations((list) => upsertConversation(list, conversation));
  });
  useMessengerEvent('identity.changed', reload);

  /** A conversation created or changed here: put it where it belongs. */
  const upsert = useCallback(
    (conversation: ConversationSummary) =>
      setConversations((list) => upsertConversation(list, conversation)),
    [],
  );

  /** A change made here to one conversation (read, acknowledged), applied to the current summary. */
  const change = useCallback(
    (id: string, apply: (c: ConversationSummary) => ConversationSummary) =>
      setConversations((list) => list.map((c) => (c.id === id ? apply(c) : c))),
    [],
  );

  return { conversations, loaded, query, setQuery, reload, upsert, change };
}
