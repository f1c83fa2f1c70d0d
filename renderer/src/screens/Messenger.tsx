/**
 * The unlocked, enrolled app: top bar, conversation list and the open conversation. Everything
 * here lives in component state only, so when the session locks and App unmounts this screen,
 * no conversation, message or draft is left in the renderer.
 */
import { useEffect, useState } from 'react';
import type { PolicyView, ProfileSummary } from '../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger } from '../api.js';
import type { Account, AppInfo } from '../app-types.js';
import { UntranscribedAdviceDialog } from '../features/advice/UntranscribedAdviceDialog.js';
import { useAdviceDue } from '../features/advice/useAdviceDue.js';
import { AuditLogDialog } from '../features/audit/AuditLogDialog.js';
import { ConnectionStatus } from '../features/connection/ConnectionStatus.js';
import { useConnectionStatus } from '../features/connection/useConnectionStatus.js';
import { ConversationView } from '../features/conversation/ConversationView.js';
import { useDeletionsSeen } from '../features/conversation/useDeletionsSeen.js';
import { ConversationList } from '../features/conversation-list/ConversationList.js';
import { NewConversationDialog } from '../features/conversation-list/NewConversationDialog.js';
import { useConversationList } from '../features/conversation-list/useConversationList.js';
import { SafetyNumberDialog } from '../features/safety-number/SafetyNumberDialog.js';
import { SettingsDialog } from '../features/settings/SettingsDialog.js';
import { roleLabel } from '../logic/format.js';

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

export function Messenger({ profile, policy, info, onLock, onSwitchProfile }: Props) {
  const [account, setAccount] = useState<Account | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const list = useConversationList((error) => setProblem(errorMessage(error)));
  const { conversations } = list;
  const { connection, stopped } = useConnectionStatus(setProblem);
  const deletions = useDeletionsSeen();
  const [adviceDue, setAdviceDue] = useAdviceDue();

  useEffect(() => {
    void call(messenger().account.get())
      .then(setAccount)
      .catch((error: unknown) => setProblem(errorMessage(error)));
  }, []);

  const open = conversations.find((c) => c.id === openId) ?? null;
  const self = account?.self ?? null;

  return (
    <div className="messenger">
      <header className="topbar">
        <span className="brand">Practice Messenger</span>
        <ConnectionStatus connection={connection} stopped={stopped} />
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
          query={list.query}
          onQuery={list.setQuery}
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
              onConversationChanged={list.upsert}
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
            list.upsert(conversation);
            list.setQuery('');
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
          onAcknowledged={list.reload}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}
