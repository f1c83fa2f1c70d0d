/**
 * Transcribing selected messages into the patient record (DOMAIN.md): the patient, the advice
 * (prefilled by main, quoting who said what and when), who asked, actions, and a live preview of
 * the plain-text entry. The clinician copies it (or saves the FHIR file), pastes it into EMIS Web
 * or SystmOne, and then confirms, which audits it and deletes the originals everywhere.
 */
import { Dialog } from '../../components/Dialog.js';
import { TranscriptionForm } from './TranscriptionForm.js';
import { useTranscriptionDraft } from './useTranscriptionDraft.js';

interface Props {
  conversationId: string;
  messageIds: readonly string[];
  onClose(): void;
}

export function TranscriptionPanel({ conversationId, messageIds, onClose }: Props) {
  const { draft, problem } = useTranscriptionDraft(conversationId, messageIds);
  return (
    <Dialog title="Transcribe into the patient record" onClose={onClose} wide>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {draft ? (
        <TranscriptionForm draft={draft} onClose={onClose} />
      ) : (
        !problem && <p role="status">Preparing the entry…</p>
      )}
    </Dialog>
  );
}
