/**
 * The unlocked, enrolled app: top bar, conversation list and the open conversation. Everything
 * here lives in component state only, so when the session locks and App unmounts this screen,
 * no conversation, message or draft is left in the renderer.
 */
import { useCallback, useEffect, useState } from 'react';
import type { EventPayload } from '../../../shared/ipc/contract.js';
import type {
  ConversationSummary,
  PolicyView,
  ProfileSummary,
} from '../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger, useMessengerEvent } from '../api.js';
import type { Account, AppInfo } from '../app-types.js';
import { ConversationList } from '../components/ConversationList.js';
import { UntranscribedAdviceDialog } from '../features/advice/UntranscribedAdviceDialog.js';
import { useAdviceDue } from '../features/advice/useAdviceDue.js';
import { AuditLogDialog } from '../features/audit/AuditLogDialog.js';
import { ConversationView } from '../features/conversation/ConversationView.js';
import { SafetyNumberDialog } from '../features/safety-number/SafetyNumberDialog.js';
import { SettingsDialog } from '../features/settings/SettingsDialog.js';
import { NewConversationDialog } from '../components/NewConversationDialog.js';
import { upsertConversation } from '../logic/conversation-list.js';
import { noteDeletion, type DeletionsSeen } from '../logic/deletion-note.js';
import { roleLabel } from '../logic/format.js';

type Connection = EventPayload<'connection.changed'>['state'];
type Dialog =
  | { kind: 'new' }
  | { kind: 'settings' }
  | { kind: 'audit' }
  | { kind: 'advice' }
  | { kind: 'safety'; accountId: string; name: string };

// Main enforces this too (`forbidden`); here it only decides whether to offer the screen.
const auditViewerRoles: readonly string[] = ['manager', 'admin'];

interface Props {
  profile: ProfileSummary;
  policy: PolicyView;
  info: AppInfo;
  onLock(): void;
  onSwitchProfile(): void;
}

const connectionText: Record<Connection, string> = {
  online: 'Connected',
  connecting: 'Connecting…',
  offline: 'Offline: messages will send when the connection is back',
};

export function Messenger({ profile, policy, info, onLock, onSwitchProfile }: Props) {
  const [account, setAccount] = useState<Account | null>(null);
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [query, setQuery] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [connection, setConnection] = useState<Connection | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // The relay refused this device: "messages will send when the connection is back" is untrue.
  const [stopped, setStopped] = useState<string | null>(null);
  const [deletions, setDeletions] = useState<DeletionsSeen>(() => new Map());
  const [adviceDue, setAdviceDue] = useAdviceDue();

  const load = useCallback(async (search: string) => {
    const trimmed = search.trim();
    const { conversations: listed } = await call(
      messenger().conversations.list(trimmed ? { query: trimmed } : {}),
    );
    setConversations(listed);
  }, []);

  useEffect(() => {
    void call(messenger().account.get())
      .then(setAccount)
      .catch((error: unknown) => setProblem(errorMessage(error)));
  }, []);

  // Searching runs in the core (names and message text); a short pause avoids a call per key.
  useEffect(() => {
    const timer = setTimeout(
      () => void load(query).catch((error: unknown) => setProblem(errorMessage(error))),
      query ? 200 : 0,
    );
    return () => clearTimeout(timer);
  }, [load, query]);

  useMessengerEvent('conversation.updated', ({ conversation }) => {
    if (query.trim()) void load(query).catch(() => undefined);
    else setConversations((list) => upsertConversation(list, conversation));
  });
  useMessengerEvent('identity.changed', () => void load(query).catch(() => undefined));
  useMessengerEvent('connection.changed', ({ state }) => setConnection(state));
  useMessengerEvent('messages.deleted', (event) =>
    setDeletions((seen) => noteDeletion(seen, event)),
  );
  // A wipe is App's to show (this screen is about to go); other refusals leave the user here,
  // no longer receiving, and main's message says what to do.
  useMessengerEvent('account.stopped', ({ reason, message }) => {
    if (reason === 'wiped') return;
    setProblem(message);
    setStopped(reason);
  });

  const open = conversations.find((c) => c.id === openId) ?? null;
  const self = account?.self ?? null;

  return (
    <div className="messenger">
      <header className="topbar">
        <span className="brand">Practice Messenger</span>
        {stopped ? (
          <span className="connection connection-offline" role="status">
            {stopped === 'replaced'
              ? 'Disconnected: another device is using this profile'
              : 'Not connected: see the message below'}
          </span>
        ) : (
          connection && (
            <span className={`connection connection-${connection}`} role="status">
              {connectionText[connection]}
            </span>
          )
        )}
        <span className="whoami">
          {self ? `${self.displayName} · ${roleLabel(self.role)}` : profile.displayName}
        </span>
        <nav className="topbar-actions" aria-label="App">
          <button
            type="button"
            className="button-primary"
            onClick={() => setDialog({ kind: 'new' })}
          >
            New conversation
          </button>
          <button
            type="button"
            className={adviceDue > 0 ? 'button-warning' : undefined}
            onClick={() => setDialog({ kind: 'advice' })}
          >
            Advice not in the record{adviceDue > 0 ? ` (${adviceDue})` : ''}
          </button>
          {self && auditViewerRoles.includes(self.role) && (
            <button type="button" onClick={() => setDialog({ kind: 'audit' })}>
              Audit log
            </button>
          )}
          <button type="button" onClick={() => setDialog({ kind: 'settings' })}>
            Settings
          </button>
          <button type="button" onClick={onSwitchProfile}>
            Switch profile
          </button>
          <button type="button" onClick={onLock}>
            Lock
          </button>
        </nav>
      </header>
      {problem && (
        <p className="alert page-alert" role="alert">
          {problem}
        </p>
      )}
      <div className="workspace">
        <ConversationList
          conversations={conversations}
          selfAccountId={self?.accountId ?? null}
          openId={openId}
          query={query}
          onQuery={setQuery}
          onOpen={setOpenId}
        />
        <main className="conversation-pane" aria-label="Conversation">
          {open && self ? (
            <ConversationView
              key={open.id}
              conversation={open}
              self={self}
              policy={policy}
              deletionsSeen={deletions.get(open.id)}
              onConversationChanged={(c) => setConversations((list) => upsertConversation(list, c))}
              onShowSafetyNumber={(accountId, name) =>
                setDialog({ kind: 'safety', accountId, name })
              }
            />
          ) : (
            <div className="empty-state">
              <h2>No conversation open</h2>
              <p>
                Choose a conversation on the left, or start a new one with someone in your practice.
              </p>
            </div>
          )}
        </main>
      </div>
      {dialog?.kind === 'new' && (
        <NewConversationDialog
          selfAccountId={self?.accountId ?? null}
          onClose={() => setDialog(null)}
          onCreated={(conversation) => {
            setConversations((list) => upsertConversation(list, conversation));
            setQuery('');
            setOpenId(conversation.id);
            setDialog(null);
          }}
        />
      )}
      {dialog?.kind === 'settings' && (
        <SettingsDialog
          policy={policy}
          info={info}
          account={account}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'audit' && (
        <AuditLogDialog conversations={conversations} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'advice' && (
        <UntranscribedAdviceDialog
          onOpenConversation={(id) => {
            setOpenId(id);
            setDialog(null);
          }}
          onChanged={setAdviceDue}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'safety' && (
        <SafetyNumberDialog
          accountId={dialog.accountId}
          name={dialog.name}
          onAcknowledged={() => void load(query).catch(() => undefined)}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}
