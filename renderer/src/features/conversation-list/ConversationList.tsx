/** The left-hand list: search (names and message text, in the core) and one row per conversation. */
import { forwardRef, useId } from 'react';
import { Avatar } from '../../components/Avatar.js';
import type { ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { conversationPeers } from '../../logic/conversation-list.js';
import { formatActivity, roleLabel } from '../../logic/format.js';
import { wordExcerpt } from '../../logic/people.js';

interface Props {
  conversations: readonly ConversationSummary[];
  /** False until the core first answered: an empty list then means "not known yet". */
  loaded: boolean;
  selfAccountId: string | null;
  openId: string | null;
  query: string;
  onQuery(query: string): void;
  onOpen(id: string): void;
}

/** The ref is the search field, where focus goes after unlock. */
export const ConversationList = forwardRef<HTMLInputElement, Props>(
  function ConversationList(props, searchRef) {
    const searchId = useId();
    const now = Date.now();
    return (
      <nav className="sidebar" aria-label="Conversations">
        <div className="search">
          <label htmlFor={searchId}>Search names and messages</label>
          <input
            ref={searchRef}
            id={searchId}
            type="search"
            value={props.query}
            onChange={(e) => props.onQuery(e.target.value)}
          />
        </div>
        {props.conversations.length === 0 ? (
          <p className="list-empty" aria-busy={!props.loaded}>
            {!props.loaded
              ? 'Loading conversations…'
              : props.query.trim()
                ? 'No conversation matches your search.'
                : 'No conversations yet.'}
          </p>
        ) : (
          <ul className="conversation-list">
            {props.conversations.map((conversation) => {
              const peers = conversationPeers(conversation, props.selfAccountId);
              const group = conversation.kind === 'group';
              // A group says it is one, and how many are in it (the user included).
              const roles = group
                ? `Group · ${conversation.participants.length} members`
                : [...new Set(peers.map((p) => roleLabel(p.role)))].join(', ');
              const current = conversation.id === props.openId;
              const only = peers.length === 1 ? peers[0] : undefined;
              return (
                <li key={conversation.id}>
                  <button
                    type="button"
                    className={current ? 'conversation-item current' : 'conversation-item'}
                    aria-current={current ? 'true' : undefined}
                    data-conversation-id={conversation.id}
                    onClick={() => props.onOpen(conversation.id)}
                  >
                    <Avatar name={conversation.title} role={group ? null : (only?.role ?? null)} />
                    <span className="conversation-summary">
                      <span className="conversation-line">
                        <span className="conversation-title">{conversation.title}</span>
                        {conversation.lastActivityAt !== null && (
                          <span className="conversation-time">
                            {formatActivity(conversation.lastActivityAt, now)}
                          </span>
                        )}
                      </span>
                      <span className="conversation-line">
                        <span className="conversation-role">{roles}</span>
                        <span className="markers">
                          {conversation.hasUrgentUnread && (
                            <span className="tag tag-urgent">Urgent</span>
                          )}
                          {conversation.identityChanged && (
                            <span className="tag tag-warning">Safety number changed</span>
                          )}
                          {conversation.unreadCount > 0 && (
                            <span className="unread">
                              {conversation.unreadCount}
                              <span className="visually-hidden"> unread</span>
                            </span>
                          )}
                        </span>
                      </span>
                      {conversation.searchMatch ? (
                        <span className="conversation-excerpt search-excerpt">
                          {conversation.searchMatch.excerpt.map((part, index) =>
                            part.match ? <mark key={index}>{part.text}</mark> : part.text,
                          )}
                        </span>
                      ) : (
                        conversation.lastMessageExcerpt && (
                          <span className="conversation-excerpt">
                            {wordExcerpt(conversation.lastMessageExcerpt, 120)}
                          </span>
                        )
                      )}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </nav>
    );
  },
);
