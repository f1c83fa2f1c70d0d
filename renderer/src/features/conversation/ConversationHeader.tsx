/** Whom the conversation is with and their roles, and what can be done with it. */
import type { ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { roleLabel } from '../../logic/format.js';

interface Props {
  title: string;
  peers: ConversationSummary['participants'];
  selecting: boolean;
  onToggleSelecting(): void;
  onExport(): void;
  onShowSafetyNumber(accountId: string, name: string): void;
}

// More buttons than this would crowd the header; the list of people above names them all.
const safetyNumberButtons = 3;

export function ConversationHeader(props: Props) {
  const { title, peers, selecting } = props;
  return (
    <header className="conversation-header">
      <div>
        <h1 id="conversation-title">{title}</h1>
        <p className="conversation-people">
          {peers.map((p) => `${p.displayName} (${roleLabel(p.role)})`).join(', ')}
        </p>
      </div>
      <div className="actions">
        <button type="button" aria-pressed={selecting} onClick={props.onToggleSelecting}>
          Select messages to transcribe
        </button>
        <button type="button" onClick={props.onExport}>
          Export for SAR…
        </button>
        {peers.slice(0, safetyNumberButtons).map((peer) => (
          <button
            type="button"
            key={peer.accountId}
            onClick={() => props.onShowSafetyNumber(peer.accountId, peer.displayName)}
          >
            Safety number{peers.length > 1 ? `: ${peer.displayName}` : ''}
          </button>
        ))}
      </div>
    </header>
  );
}
