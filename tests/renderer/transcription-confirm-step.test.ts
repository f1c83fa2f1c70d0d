// The confirmation steps of a transcription, moved out of TranscriptionConfirm into a reducer:
// form -> question -> undo window, undo back to the form with a note, and the guard on offering
// "Entered into the record".
import { describe, expect, it } from 'vitest';
import {
  firstConfirmStep,
  mayConfirm,
  nextConfirmStep,
  undoneNote,
  undoSecondsLeft,
  type ConfirmStep,
  type Confirmed,
} from '../../renderer/src/logic/transcription-confirm-step.js';

const scope = {
  messages: 2,
  fromOthers: 1,
  devices: 2,
  peerDevices: 1,
  peerName: 'Sam Jones',
  refusal: null,
};
const result: Confirmed = {
  auditId: 7,
  originals: 'now',
  deleteAt: 20_000,
  undoUntil: 20_000,
  scope,
};

describe('nextConfirmStep', () => {
  it('goes from the form to the question, to the undo window', () => {
    const asking = nextConfirmStep(firstConfirmStep, { kind: 'asked', scope });
    expect(asking).toEqual({ kind: 'asking', scope });
    expect(nextConfirmStep(asking, { kind: 'confirmed', result })).toEqual({
      kind: 'undo',
      result,
    });
  });

  it('undoing returns to the form saying nothing was deleted; asking again clears the note', () => {
    const undone = nextConfirmStep({ kind: 'undo', result }, { kind: 'undone' });
    expect(undone).toEqual({ kind: 'form', note: undoneNote });
    expect(nextConfirmStep(undone, { kind: 'asked', scope })).toEqual({ kind: 'asking', scope });
    const back = nextConfirmStep({ kind: 'asking', scope }, { kind: 'back' });
    expect(back).toEqual({ kind: 'form', note: null });
  });

  it('ignores an answer that no longer fits the step on screen', () => {
    const undo: ConfirmStep = { kind: 'undo', result };
    expect(nextConfirmStep(undo, { kind: 'asked', scope })).toBe(undo);
    expect(nextConfirmStep(undo, { kind: 'back' })).toBe(undo);
    expect(nextConfirmStep(firstConfirmStep, { kind: 'confirmed', result })).toBe(firstConfirmStep);
    expect(nextConfirmStep(firstConfirmStep, { kind: 'undone' })).toBe(firstConfirmStep);
  });
});

describe('mayConfirm', () => {
  it('needs a complete entry that left the app, or one entered another way', () => {
    expect(mayConfirm(true, true, false)).toBe(true);
    expect(mayConfirm(true, false, true)).toBe(true);
    expect(mayConfirm(true, false, false)).toBe(false);
    expect(mayConfirm(false, true, true)).toBe(false);
  });
});

describe('undoSecondsLeft', () => {
  it('rounds up to whole seconds and stops at zero', () => {
    expect(undoSecondsLeft(20_000, 10_000)).toBe(10);
    expect(undoSecondsLeft(20_000, 10_001)).toBe(10);
    expect(undoSecondsLeft(20_000, 19_999)).toBe(1);
    expect(undoSecondsLeft(20_000, 20_000)).toBe(0);
    expect(undoSecondsLeft(20_000, 25_000)).toBe(0);
  });
});
