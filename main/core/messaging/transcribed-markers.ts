import { formatUkDateTime } from '../../../shared/clinical/uk-date-format.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { Repositories } from '../db/repositories/repositories.js';
import { newMessageId } from './message-ids.js';
import { expiryOfNewMessage } from '../retention/expiry-policy.js';

export interface TranscribedDeletion {
  readonly conversationId: string;
  readonly messageIds: readonly string[];
  /** Account id of the member of staff who transcribed them. */
  readonly transcribedBy: string;
  readonly transcribedAt: number;
  readonly now: number;
}

type MarkerRepositories = Pick<
  Repositories,
  'messages' | 'contacts' | 'ownIdentity' | 'conversations' | 'settings'
>;

const pageSize = 200;

/**
 * Writes, before transcribed messages are deleted, one notice per run of them ("3 messages
 * transcribed into the record by Dr A Patel at 14:02 and deleted"), in the place the run
 * occupied, so a partial transcription never makes messages silently vanish from the middle of
 * a conversation. A run is a stretch of the selection with no surviving message between its
 * members, on this device's timeline. Only messages still stored here are counted, so a deletion
 * that reaches this device twice (retention here, then the transcriber's delete) marks once.
 * Call inside the transaction that deletes them; returns the markers written.
 */
export function writeTranscribedMarkers(
  repositories: MarkerRepositories,
  deletion: TranscribedDeletion,
): MessageRecord[] {
  const { messages } = repositories;
  const chosen = new Set(deletion.messageIds);
  const present = [...chosen]
    .map((id) => messages.get(id))
    .filter(
      (m): m is MessageRecord =>
        m !== null && m.kind === 'text' && m.conversationId === deletion.conversationId,
    )
    .sort((a, b) => a.sentAt - b.sentAt || a.id.localeCompare(b.id));
  if (present.length === 0) return [];
  const runs = runsOf(repositories, deletion.conversationId, present, chosen);
  const name = transcriberName(repositories, deletion.transcribedBy);
  const self = repositories.ownIdentity.get()?.accountId ?? null;
  return runs.map((run) => {
    const last = run[run.length - 1] as MessageRecord;
    const id = newMessageId(deletion.now);
    messages.insert({
      id,
      conversationId: deletion.conversationId,
      direction: 'incoming',
      senderAccountId: deletion.transcribedBy,
      kind: 'notice',
      body: transcribedMarkerText(run.length, name, deletion.transcribedAt),
      status: 'delivered',
      sentAt: last.sentAt,
      receivedAt: deletion.now,
      expiresAt: expiryOfNewMessage(repositories, deletion.conversationId, deletion.now),
    });
    // The transcriber's own marker is nothing new to them.
    if (deletion.transcribedBy === self) messages.markRead([id], deletion.now);
    return messages.get(id) as MessageRecord;
  });
}

export function transcribedMarkerText(count: number, name: string, at: number): string {
  const [date, time] = formatUkDateTime(at).split(' ');
  const what = count === 1 ? '1 message' : `${count} messages`;
  return `${what} transcribed into the record by ${name} at ${time} on ${date} and deleted.`;
}

/** Splits the present messages (in timeline order) wherever another message lies between. */
function runsOf(
  repositories: MarkerRepositories,
  conversationId: string,
  present: readonly MessageRecord[],
  chosen: ReadonlySet<string>,
): MessageRecord[][] {
  const first = present[0] as MessageRecord;
  const last = present[present.length - 1] as MessageRecord;
  const runs: MessageRecord[][] = [[first]];
  let cursor = { sentAt: first.sentAt, id: first.id };
  for (;;) {
    const page = repositories.messages.pageAfter(conversationId, cursor, pageSize);
    for (const message of page) {
      const beyond =
        message.sentAt > last.sentAt || (message.sentAt === last.sentAt && message.id > last.id);
      if (beyond) return runs.filter((r) => r.length > 0);
      const current = runs[runs.length - 1] as MessageRecord[];
      if (chosen.has(message.id) && message.kind === 'text') current.push(message);
      else if (current.length > 0) runs.push([]);
    }
    const end = page[page.length - 1];
    if (page.length < pageSize || end === undefined) return runs.filter((r) => r.length > 0);
    cursor = { sentAt: end.sentAt, id: end.id };
  }
}

function transcriberName(repositories: MarkerRepositories, accountId: string): string {
  return repositories.contacts.get(accountId)?.displayName ?? `account ${accountId}`;
}
