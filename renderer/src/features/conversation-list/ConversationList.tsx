/** The left-hand list: search (names and message text, in the core) and one row per conversation. */
import { useId } from 'react';
import type { ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { conversationPeers } from '../../logic/conversation-list.js';
import { formatActivity, roleLabel } from '../../logic/format.js';

interface Props {
  conversations: readonly ConversationSummary[];
  selfAccountId: string | null;
  openId: string | null;
  query: string;
  onQuery(query: string): void;
  onOpen(id: string): void;
}

export function ConversationList(props: Props) {
  const searchId = useId();
  const now = Date.now();
  return (
    <nav className="sidebar" aria-label="Conversations">
      <div className="search">
        <label htmlFor={searchId}>Search names and messages</label>
        <input
          id={searchId}
          type="search"
          value={props.query}
          onChange={(e) => props.onQuery(e.target.value)}
        />
      </div>
      {props.conversations.length === 0 ? (
        <p className="list-empty">
          {props.query.trim() ? 'No conversation matches your search.' : 'No conversations yet.'}
        </p>
      ) : (
        <ul className="conversation-list">
          {props.conversations.map((conversation) => {
            const peers = conversationPeers(conversation, props.selfAccountId);
            const roles = [...new Set(peers.map((p) => roleLabel(p.role)))].join(', ');
            const current = conversation.id === props.openId;
            return (
              <li key={conversation.id}>
                <button
                  type="button"
                  className={current ? 'conversation-item current' : 'conversation-item'}
                  aria-current={current ? 'true' : undefined}
                  onClick={() => props.onOpen(conversation.id)}
                >
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
                  {conversation.lastMessageExcerpt && (
                    <span className="conversation-excerpt">{conversation.lastMessageExcerpt}</span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}
