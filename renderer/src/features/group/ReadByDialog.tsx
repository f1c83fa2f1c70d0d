/** Who of the group has received and read one of our messages: "read by 3 of 5", then the list. */
import { useEffect, useState } from 'react';
import type { GroupReceipts } from '../../../../shared/ipc/group-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';
import { formatWhen } from '../../logic/format.js';

interface Props {
  conversationId: string;
  messageId: string;
  onClose(): void;
}

export function ReadByDialog({ conversationId, messageId, onClose }: Props) {
  const [receipts, setReceipts] = useState<GroupReceipts | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    void call(messenger().messages.receipts({ conversationId, messageId }))
      .then(({ receipts: loaded }) => setReceipts(loaded))
      .catch((error: unknown) => setProblem(errorMessage(error)));
  }, [conversationId, messageId]);
  return (
    <Dialog title="Who has read it" onClose={onClose}>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {receipts === null ? (
        !problem && <p>Loading…</p>
      ) : (
        <>
          <p>{readByText(receipts)}</p>
          <ul className="group-member-list" aria-label="Members">
            {receipts.people.map((person) => (
              <li key={person.accountId} className="group-member">
                <span className="directory-name">{person.displayName}</span>
                <span className="directory-role">
                  {person.readAt !== null
                    ? `Read ${formatWhen(person.readAt)}`
                    : person.deliveredAt !== null
                      ? `Delivered ${formatWhen(person.deliveredAt)}`
                      : 'Not delivered yet'}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Dialog>
  );
}

export function readByText(counts: { recipients: number; delivered: number; read: number }) {
  if (counts.read > 0) return `Read by ${counts.read} of ${counts.recipients}`;
  return `Delivered to ${counts.delivered} of ${counts.recipients}`;
}
