/**
 * A quiet header: whom the conversation is with (the name once, with an avatar), their role, on
 * how many PCs when more than one (their own devices), and one menu for what can be done with it. On a narrow window a back button returns to the list.
 * A group shows its member count, which opens its members (roles, admins, management).
 */
import type { ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { Avatar } from '../../components/Avatar.js';
import { Icon } from '../../components/Icon.js';
import { Menu, type MenuItem } from '../../components/Menu.js';
import { disappearingLabel } from '../../logic/disappearing-label.js';
import { roleLabel } from '../../logic/format.js';

interface Props {
  title: string;
  peers: ConversationSummary['participants'];
  selecting: boolean;
  onBack(): void;
  onToggleSelecting(): void;
  onExport(): void;
  onShowSafetyNumber(accountId: string, name: string): void;
  /** A group: how many members it has now, and the members dialog. */
  group?: { memberCount: number; onShowMembers(): void } | null;
  /** The disappearing-message timer in force (null: off) and its dialog. */
  disappearing?: { seconds: number | null; onOpen(): void } | null;
  /** A direct conversation: the other person's PCs this device knows of. */
  peerDevices?: number | undefined;
}

// More items than this would crowd the menu; the safety number screen names the person.
const safetyNumberItems = 3;

export function ConversationHeader(props: Props) {
  const { title, peers, selecting } = props;
  const first = peers[0];
  const roles = [...new Set(peers.map((p) => roleLabel(p.role)))].join(', ');
  const group = props.group ?? null;
  const items: MenuItem[] = [
    ...(group
      ? [{ label: 'Members…', icon: 'people', onSelect: group.onShowMembers } satisfies MenuItem]
      : []),
    {
      label: 'Select messages to transcribe',
      icon: 'transcribe',
      pressed: selecting,
      onSelect: props.onToggleSelecting,
    },
    { label: 'Export for SAR…', icon: 'export', onSelect: props.onExport },
    ...(props.disappearing
      ? [
          {
            label: `Disappearing messages: ${disappearingLabel(props.disappearing.seconds)}…`,
            icon: 'timer',
            onSelect: props.disappearing.onOpen,
          } satisfies MenuItem,
        ]
      : []),
    ...peers.slice(0, safetyNumberItems).map((peer): MenuItem => ({
      label: peers.length > 1 ? `Safety number: ${peer.displayName}` : 'Safety number',
      icon: 'shield',
      onSelect: () => props.onShowSafetyNumber(peer.accountId, peer.displayName),
    })),
  ];
  return (
    <header className="conversation-header">
      <button type="button" className="button-quiet back-button" onClick={props.onBack}>
        <Icon name="back" />
        <span className="visually-hidden">Back to conversations</span>
      </button>
      <Avatar name={title} role={peers.length === 1 && !group ? first?.role : null} />
      <div className="conversation-heading">
        <h1 id="conversation-title">{title}</h1>
        <p className="conversation-people">
          {group ? (
            <button type="button" className="link-button" onClick={group.onShowMembers}>
              {group.memberCount} members · {roles}
            </button>
          ) : peers.length > 1 ? (
            `${peers.length} people · ${roles}`
          ) : (
            roles
          )}
          {(props.peerDevices ?? 0) > 1 && <span> · on {props.peerDevices} PCs</span>}
          {props.disappearing?.seconds ? (
            <span className="disappearing-tag">
              {' '}
              · Disappearing: {disappearingLabel(props.disappearing.seconds)}
            </span>
          ) : null}
          <span aria-hidden="true"> · </span>
          <span>End-to-end encrypted</span>
        </p>
      </div>
      <Menu label="Conversation actions" items={items} className="conversation-menu" />
    </header>
  );
}
