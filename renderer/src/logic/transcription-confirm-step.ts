/**
 * The steps of confirming a transcription, as a reducer so the order is checked in tests: the
 * form, then the question naming what would be deleted, then the undo window; undoing goes back
 * to the form with a note that nothing was deleted.
 */
import type { MethodResponse } from '../../../shared/ipc/contract.js';
import type { DeletionScope } from '../../../shared/ipc/clinical-schemas.js';

export type Confirmed = MethodResponse<'transcription.confirm'>;

export type ConfirmStep =
  | { kind: 'form'; note: string | null }
  | { kind: 'asking'; scope: DeletionScope }
  | { kind: 'undo'; result: Confirmed };

export type ConfirmEvent =
  | { kind: 'asked'; scope: DeletionScope }
  | { kind: 'confirmed'; result: Confirmed }
  | { kind: 'undone' }
  | { kind: 'back' };

export const firstConfirmStep: ConfirmStep = { kind: 'form', note: null };

export const undoneNote =
  'Undone: nothing was deleted. The audit log records the confirmation and the undo.';

export function nextConfirmStep(step: ConfirmStep, event: ConfirmEvent): ConfirmStep {
  switch (event.kind) {
    case 'asked':
      // Only from the form: a late answer must not pull the user back from the undo window.
      return step.kind === 'form' ? { kind: 'asking', scope: event.scope } : step;
    case 'confirmed':
      return step.kind === 'asking' ? { kind: 'undo', result: event.result } : step;
    case 'undone':
      return step.kind === 'undo' ? { kind: 'form', note: undoneNote } : step;
    case 'back':
      return step.kind === 'asking' ? firstConfirmStep : step;
  }
}

/**
 * "Entered into the record" is offered once the entry is complete and it left the app (copied or
 * saved) or the clinician says they entered it another way; main enforces the same.
 */
export function mayConfirm(
  ready: boolean,
  handedOver: boolean,
  enteredAnotherWay: boolean,
): boolean {
  return ready && (handedOver || enteredAnotherWay);
}

/** Whole seconds left in the undo window, never below zero. */
export function undoSecondsLeft(undoUntil: number, now: number): number {
  return Math.max(0, Math.ceil((undoUntil - now) / 1000));
}
