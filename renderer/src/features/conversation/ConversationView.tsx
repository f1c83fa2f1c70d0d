/**
 * The open conversation: header with whom and their role, the identity-changed banner, the
 * windowed message timeline (pages of older messages load as the user scrolls up), and the
 * composer. Marks incoming messages read while the conversation is on screen. Messages can be
 * selected for transcription into the patient record, and the conversation exported for a
 * Subject Access Request. The data lives in the hooks; this component lays it out.
 */
import { useEffect, useState } from 'react';
import type {
  Contact,
  ConversationSummary,
  DeletionReason,
  MessageView,
  PolicyView,
} from '../../../../shared/ipc/view-schemas.js';
import { AttachmentDialogs } from '../attachments/AttachmentDialogs.js';
import { AttachmentsContext, useAttachments } from '../attachments/useAttachments.js';
import { ExportDialog } from '../export/ExportDialog.js';
import { emptyConversationText } from '../../logic/deletion-note.js';
import { firstUnreadId } from '../../logic/unread.js';
import { TranscriptionPanel } from '../transcription/TranscriptionPanel.js';
import { Composer, type AttachmentSend, type Draft } from './Composer.js';
import { ConversationHeader } from './ConversationHeader.js';
import { IdentityBanner } from './IdentityBanner.js';
import { MessageTimeline } from './MessageTimeline.js';
import { SelectionBar } from './SelectionBar.js';
import { useConversation } from './useConversation.js';
import { useFeedback } from './useFeedback.js';
import { useMessages } from './useMessages.js';
import { useReplyTo } from './useReplyTo.js';
import { useSelection } from './useSelection.js';
import { DeleteForEveryoneDialog } from '../conversation-actions/DeleteForEveryoneDialog.js';
import { DisappearingTimerDialog } from '../conversation-actions/DisappearingTimerDialog.js';
import { GroupMembersDialog } from '../group/GroupMembersDialog.js';
import { useGroup } from '../group/useGroup.js';

interface Props {
  conversation: ConversationSummary;
  self: Contact;
  policy: PolicyView;
  /** Why messages of this conversation were deleted while the profile has been unlocked. */
  deletionsSeen: ReadonlySet<DeletionReason> | undefined;
  onConversationChanged(id: string, change: (c: ConversationSummary) => ConversationSummary): void;
  onShowSafetyNumber(accountId: string, name: string): void;
  /** Back to the list (narrow windows show one or the other). */
  onBack(): void;
}

export function ConversationView(props: Props) {
  const { conversation, self, policy, onShowSafetyNumber } = props;
  const feedback = useFeedback();
  const timeline = useMessages(conversation.id, feedback);
  const { messages } = timeline;
  const attachments = useAttachments(conversation.id, messages, feedback);
  const chosen = useSelection(conversation.id);
  const [replyTo, setReplyTo] = useReplyTo(conversation.id);
  const { peers, acknowledge } = useConversation({
    conversation,
    self,
    messages,
    onChanged: props.onConversationChanged,
    feedback,
  });
  const [exporting, setExporting] = useState(false);
  const groupState = useGroup(conversation);
  const group = groupState.group;
  const [showingMembers, setShowingMembers] = useState(false);
  const [deleting, setDeleting] = useState<MessageView | null>(null);
  const [showingTimer, setShowingTimer] = useState(false);
  // How many were unread when it opened: the divider stays where it was while they are read.
  const [unreadAtOpen] = useState(conversation.unreadCount);
  const [unreadFromId, setUnreadFromId] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    if (timeline.loaded && unreadFromId === undefined) {
      setUnreadFromId(firstUnreadId(messages, unreadAtOpen));
    }
  }, [timeline.loaded]);

  const send = async (draft: Draft) => {
    const sent = await timeline.send(draft);
    if (sent) setReplyTo(null);
    return sent;
  };
  // A file can answer a message too: the reply is done once main has the file.
  const sendAttachment = async (draft: AttachmentSend) => {
    const sent = await timeline.sendAttachment(draft);
    if (sent) setReplyTo(null);
    return sent;
  };

  const changedPeer = peers[0];
  return (
    <AttachmentsContext.Provider value={attachments}>
      <section className="conversation" aria-labelledby="conversation-title">
        <ConversationHeader
          title={conversation.title}
          peers={peers}
          selecting={chosen.selection !== null}
          onBack={props.onBack}
          onToggleSelecting={chosen.toggleSelecting}
          onExport={() => setExporting(true)}
          onShowSafetyNumber={onShowSafetyNumber}
          peerDevices={conversation.peerDevices}
          disappearing={{
            seconds: conversation.disappearingSeconds ?? null,
            onOpen: () => setShowingTimer(true),
          }}
          group={
            group
              ? { memberCount: group.memberCount, onShowMembers: () => setShowingMembers(true) }
              : null
          }
        />
        {showingMembers && group && (
          <GroupMembersDialog
            group={group}
            selfAccountId={self.accountId}
            problem={groupState.problem}
            onAdd={groupState.add}
            onRemove={groupState.remove}
            onLeave={groupState.leave}
            onRename={groupState.rename}
            onShowSafetyNumber={(accountId, name) => {
              // One dialog at a time: the safety number opens where the members were.
              setShowingMembers(false);
              onShowSafetyNumber(accountId, name);
            }}
            onClose={() => setShowingMembers(false)}
          />
        )}
        {showingTimer && (
          <DisappearingTimerDialog
            conversationId={conversation.id}
            current={conversation.disappearingSeconds ?? null}
            retentionDays={policy.retentionDays}
            readOnlyReason={
              group && !group.isMember
                ? 'You are no longer a member of this group.'
                : group && !group.isAdmin
                  ? "Only the group's admins can change it."
                  : null
            }
            onChanged={(seconds) =>
              props.onConversationChanged(conversation.id, (c) => ({
                ...c,
                disappearingSeconds: seconds,
              }))
            }
            onClose={() => setShowingTimer(false)}
          />
        )}
        {deleting && (
          <DeleteForEveryoneDialog
            message={deleting}
            onConfirm={timeline.deleteForEveryone}
            onClose={() => setDeleting(null)}
          />
        )}
        {conversation.identityChanged && changedPeer && (
          <IdentityBanner
            name={changedPeer.displayName}
            onShowSafetyNumber={() =>
              onShowSafetyNumber(changedPeer.accountId, changedPeer.displayName)
            }
            onAcknowledge={() => void acknowledge()}
          />
        )}
        {feedback.problem && (
          <p className="alert" role="alert">
            {feedback.problem}
          </p>
        )}
        <p className="visually-hidden" role="status">
          {feedback.status}
        </p>
        {timeline.loaded && messages.length === 0 ? (
          <div className="empty-state timeline-empty">
            <p>{emptyConversationText(conversation.deletedMessages, props.deletionsSeen)}</p>
          </div>
        ) : (
          <MessageTimeline
            title={conversation.title}
            messages={messages}
            unreadFromId={unreadFromId ?? null}
            selection={chosen.selection}
            onReply={setReplyTo}
            onCopy={timeline.copy}
            onRetry={timeline.retry}
            onTranscribe={chosen.startWith}
            onSelect={chosen.select}
            onDelete={setDeleting}
            onNearTop={timeline.loadOlder}
            scrollToBottomSignal={timeline.sentCount}
          />
        )}
        {chosen.selection !== null && (
          <SelectionBar
            count={chosen.selection.size}
            onTranscribe={() => chosen.transcribe(messages)}
            onCancel={chosen.cancel}
          />
        )}
        {chosen.transcribing && (
          <TranscriptionPanel
            conversationId={conversation.id}
            messageIds={chosen.transcribing}
            onClose={chosen.closeTranscription}
          />
        )}
        {exporting && (
          <ExportDialog
            conversation={conversation}
            policy={policy}
            onClose={() => setExporting(false)}
          />
        )}
        <AttachmentDialogs attachments={attachments} />
        <Composer
          conversationId={conversation.id}
          policy={policy}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(null)}
          onSend={send}
          onSendAttachment={sendAttachment}
          disabledReason={
            group && !group.isMember
              ? 'You are no longer a member of this group, so you cannot write to it.'
              : conversation.identityChanged
                ? 'Check the new safety number (above) before sending more messages.'
                : null
          }
        />
      </section>
    </AttachmentsContext.Provider>
  );
}
