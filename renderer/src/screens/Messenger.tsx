/**
 * The unlocked, enrolled app: top bar, conversation list and the open conversation. On a narrow
 * window (under 900 px) the list and the conversation take turns, with a back button between
 * them; the top bar's buttons keep their names but show only icons there. Everything
 * here lives in component state only, so when the session locks and App unmounts this screen,
 * no conversation, message or draft is left in the renderer.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { PolicyView, ProfileSummary } from '../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger } from '../api.js';
import type { Account, AppInfo } from '../app-types.js';
import { Avatar } from '../components/Avatar.js';
import { Icon, type IconName } from '../components/Icon.js';
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
  const { connection, stopped, seed } = useConnectionStatus(setProblem);
  const deletions = useDeletionsSeen();
  const [adviceDue, setAdviceDue] = useAdviceDue();

  const search = useRef<HTMLInputElement>(null);
  // The conversation to focus in the list when coming back from it (narrow windows).
  const returnTo = useRef<string | null>(null);

  useEffect(() => {
    // After unlock, the first useful control: finding a conversation.
    search.current?.focus();
    void call(messenger().account.get())
      .then((answer) => {
        setAccount(answer);
        seed(answer.connection);
      })
      .catch((error: unknown) => setProblem(errorMessage(error)));
  }, [seed]);

  useLayoutEffect(() => {
    if (openId !== null || returnTo.current === null) return;
    document
      .querySelector<HTMLElement>(`[data-conversation-id="${CSS.escape(returnTo.current)}"]`)
      ?.focus();
    returnTo.current = null;
  }, [openId]);

  const open = conversations.find((c) => c.id === openId) ?? null;
  const self = account?.self ?? null;

  return (
    <div className="messenger" data-view={open ? 'conversation' : 'list'}>
      <header className="topbar">
        <span className="brand">Practice Messenger</span>
        <ConnectionStatus connection={connection} stopped={stopped} />
        <nav className="topbar-actions" aria-label="App">
          <TopButton
            icon="plus"
            label="New conversation"
            className="button-primary"
            onClick={() => setDialog({ kind: 'new' })}
          />
          <TopButton
            icon="advice"
            label="Advice not in the record"
            count={adviceDue}
            className={adviceDue > 0 ? 'top-advice button-warning' : 'top-advice'}
            onClick={() => setDialog({ kind: 'advice' })}
          />
          {self && auditViewerRoles.includes(self.role) && (
            <TopButton
              icon="audit"
              label="Audit log"
              onClick={() => setDialog({ kind: 'audit' })}
            />
          )}
          <TopButton
            icon="settings"
            label="Settings"
            onClick={() => setDialog({ kind: 'settings' })}
          />
          <TopButton icon="switch" label="Switch profile" onClick={onSwitchProfile} />
          <TopButton icon="lock" label="Lock" onClick={onLock} />
        </nav>
        <span className="whoami">
          <Avatar name={self?.displayName ?? profile.displayName} role={self?.role} size="small" />
          <span className="whoami-text">
            {self ? `${self.displayName} · ${roleLabel(self.role)}` : profile.displayName}
          </span>
        </span>
      </header>
      {problem && (
        <p className="alert page-alert" role="alert">
          {problem}
        </p>
      )}
      <div className="workspace">
        <ConversationList
          ref={search}
          conversations={conversations}
          loaded={list.loaded}
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
              onConversationChanged={list.change}
              onBack={() => {
                returnTo.current = open.id;
                setOpenId(null);
              }}
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
          canManageRoles={self !== null && auditViewerRoles.includes(self.role)}
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

interface TopButtonProps {
  icon: IconName;
  label: string;
  onClick(): void;
  className?: string | undefined;
  /** Shown beside the label, and still when only the icon shows. */
  count?: number;
}

/** An icon with its label; on narrow windows the label is hidden visually but still names it. */
function TopButton({ icon, label, onClick, className, count }: TopButtonProps) {
  return (
    <button type="button" className={`top-button ${className ?? ''}`} onClick={onClick}>
      <Icon name={icon} />
      <span className="top-button-label">{label}</span>
      {count !== undefined && count > 0 && <span className="top-button-count"> ({count})</span>}
    </button>
  );
}
