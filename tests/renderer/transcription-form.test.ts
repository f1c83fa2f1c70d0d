import { describe, expect, it } from 'vitest';
import type { TranscriptionDraft } from '../../shared/ipc/clinical-schemas.js';
import {
  changeTemplate,
  chooseAdviceGiver,
  dateOfBirthProblem,
  editRole,
  defaultLaterDeletion,
  fromLocalInputValue,
  initialFields,
  nhsNumberProblem,
  readableProblem,
  toForm,
  toLocalInputValue,
} from '../../renderer/src/logic/transcription-form.js';

const draft: TranscriptionDraft = {
  conversationId: 'c1',
  messageIds: ['message-0001', 'message-0002'],
  quoted: [],
  advice: 'quoted advice',
  adviceGivenAt: 2_000,
  adviceReceivedAt: null,
  adviceGivenBy: { name: 'Dr Priya Patel', role: 'Clinician', accountId: 'gp-1' },
  adviceGiverChoices: [
    { name: 'Dr Priya Patel', role: 'Clinician', accountId: 'gp-1', inSelection: true },
    { name: 'Sam Jones', role: 'Receptionist', accountId: 'rec-1', inSelection: true },
    { name: 'Dr Lee', role: 'Clinician', accountId: 'gp-2', inSelection: false },
  ],
  patient: { nhsNumber: '', name: '', dateOfBirth: '', nhsNumbersFound: 0 },
  urgent: false,
  askedBy: { name: 'Sam Jones', role: 'Receptionist', accountId: 'rec-1' },
  transcribedBy: { name: 'Dr Priya Patel', role: 'Clinician', accountId: 'gp-1' },
};

describe('nhsNumberProblem', () => {
  it('accepts valid numbers and says nothing before anything is typed', () => {
    expect(nhsNumberProblem('')).toBeNull();
    expect(nhsNumberProblem('943 476 5919')).toBeNull();
    expect(nhsNumberProblem('9990000018')).toBeNull();
  });

  it('says what is wrong with an invalid one', () => {
    expect(nhsNumberProblem('943 476 5918')).toMatch(/check digit does not match/);
    expect(nhsNumberProblem('943 476 591')).toMatch(/10 digits; this has 9/);
    expect(nhsNumberProblem('943 476 59190')).toMatch(/this has 11/);
    expect(nhsNumberProblem('111 111 1111')).toMatch(/one digit repeated/);
    expect(nhsNumberProblem('943-476 5919')).toMatch(/3 3 4/);
    expect(nhsNumberProblem('NHS 943 476 5919')).toMatch(/only digits/);
  });
});

describe('toForm', () => {
  it('builds the IPC form from the prefilled fields', () => {
    const fields = {
      ...initialFields(draft, Date.UTC(2026, 0, 5, 9)),
      nhsNumber: ' 943 476 5919 ',
    };
    const form = toForm(draft, { ...fields, actions: 'call back\n\n  review in a week  ' });
    expect(form).toEqual({
      conversationId: 'c1',
      messageIds: ['message-0001', 'message-0002'],
      patient: { nhsNumber: '943 476 5919' },
      advice: 'quoted advice',
      actions: ['call back', 'review in a week'],
      adviceGivenBy: { name: 'Dr Priya Patel', role: 'Clinician', accountId: 'gp-1' },
      askedBy: { name: 'Sam Jones', role: 'Receptionist', accountId: 'rec-1' },
      // The default is a later deletion (18:00 after surgery), never "delete everywhere now".
      deleteOriginals: { when: 'at', at: defaultLaterDeletion(Date.UTC(2026, 0, 5, 9)) },
      template: 'compact',
    });
    expect(fields.deleteWhen).toBe('later');
  });

  it('drops the account id of a person the user renamed, and asks for a later deletion', () => {
    const fields = initialFields(draft, Date.UTC(2026, 0, 5, 9));
    const form = toForm(draft, {
      ...fields,
      askedByName: 'Alex Morgan',
      patientName: 'Mr B',
      dateOfBirth: '03/03/1950',
      deleteWhen: 'later',
      deleteAt: '2026-01-05T18:00',
    });
    expect(form.askedBy).toEqual({ name: 'Alex Morgan', role: 'Receptionist' });
    expect(form.patient).toEqual({ nhsNumber: '', name: 'Mr B', dateOfBirth: '1950-03-03' });
    expect(form.deleteOriginals).toEqual({
      when: 'at',
      at: new Date('2026-01-05T18:00').getTime(),
    });
  });

  it('leaves the asker empty for the user to name when nobody else spoke', () => {
    const fields = initialFields({ ...draft, askedBy: null }, 0);
    expect([fields.askedByName, fields.askedByRole]).toEqual(['', '']);
  });
});

describe('deletion times', () => {
  it('defaults to 18:00 today, or tomorrow when that is less than an hour away', () => {
    const morning = new Date(2026, 0, 5, 9, 30).getTime();
    expect(defaultLaterDeletion(morning)).toBe(new Date(2026, 0, 5, 18, 0).getTime());
    const lateAfternoon = new Date(2026, 0, 5, 17, 15).getTime();
    expect(defaultLaterDeletion(lateAfternoon)).toBe(new Date(2026, 0, 6, 18, 0).getTime());
  });

  it('round-trips a datetime-local value and rejects anything else', () => {
    const time = new Date(2026, 6, 1, 8, 5).getTime();
    expect(toLocalInputValue(time)).toBe('2026-07-01T08:05');
    expect(fromLocalInputValue('2026-07-01T08:05')).toBe(time);
    expect(fromLocalInputValue('')).toBeNull();
    expect(fromLocalInputValue('tomorrow')).toBeNull();
  });
});

it('readableProblem drops the field path main puts first', () => {
  expect(readableProblem('patient.nhsNumber: The patient NHS number is not valid')).toBe(
    'The patient NHS number is not valid',
  );
  expect(readableProblem('At least one source message is required')).toBe(
    'At least one source message is required',
  );
});

describe('who gave the advice', () => {
  it('starts with nobody chosen when no clinician wrote, and takes a choice with its role', () => {
    const none = initialFields({ ...draft, adviceGivenBy: null }, 0);
    expect([none.adviceGiverId, none.adviceGivenByName]).toEqual(['', '']);
    expect(toForm(draft, none).adviceGivenBy).toEqual({ name: '', role: '' });
    const chosen = chooseAdviceGiver(draft, none, 'gp-2');
    expect(toForm(draft, chosen).adviceGivenBy).toEqual({
      name: 'Dr Lee',
      role: 'Clinician',
      accountId: 'gp-2',
    });
  });

  it('an edited role is used on every line of the quoted advice', () => {
    const quotedDraft = {
      ...draft,
      advice: '09:14 Sam Jones (Receptionist): Can he?\n09:20 Dr Priya Patel (Clinician): Yes.',
    };
    let fields = initialFields(quotedDraft, 0);
    fields = editRole(fields, 'giver', '');
    fields = editRole(fields, 'giver', 'GP');
    fields = editRole(fields, 'asker', 'Receptionist (front desk)');
    expect(fields.advice).toBe(
      '09:14 Sam Jones (Receptionist (front desk)): Can he?\n09:20 Dr Priya Patel (GP): Yes.',
    );
  });

  it('re-quotes in the full layout with the edited roles, but keeps advice typed by hand', () => {
    const quoted = {
      ...draft,
      quoted: [
        {
          messageId: 'message-0001',
          senderAccountId: 'gp-1',
          senderName: 'Dr Priya Patel',
          senderRole: 'Clinician',
          sentAt: Date.UTC(2025, 2, 3, 9, 20),
          transcribedAt: null,
          text: 'Yes.',
          clinical: true,
          urgent: false,
        },
      ],
    };
    const fields = editRole(initialFields(quoted, 0), 'giver', 'GP');
    expect(changeTemplate(quoted, fields, 'full').advice).toBe(
      '03-Mar-2025 09:20 Dr Priya Patel (GP) wrote:\n  Yes.',
    );
    const typed = { ...fields, advice: 'My summary', adviceEdited: true };
    expect(changeTemplate(quoted, typed, 'full').advice).toBe('My summary');
  });
});

describe('date of birth, dd/mm/yyyy whatever the locale', () => {
  const now = Date.UTC(2026, 0, 5);
  it('accepts a real past date and sends it as yyyy-mm-dd', () => {
    expect(dateOfBirthProblem('03/04/1956', now)).toBeNull();
    expect(dateOfBirthProblem('3.4.1956', now)).toBeNull();
    const fields = { ...initialFields(draft, now), dateOfBirth: '03/04/1956' };
    expect(toForm(draft, fields).patient.dateOfBirth).toBe('1956-04-03');
  });

  it('says what is wrong otherwise', () => {
    expect(dateOfBirthProblem('1956-04-03', now)).toMatch(/day\/month\/year/);
    expect(dateOfBirthProblem('31/04/1956', now)).toMatch(/day\/month\/year/);
    expect(dateOfBirthProblem('03/04/2030', now)).toMatch(/future/);
  });

  it('prefills what main found in the messages, in dd/mm/yyyy', () => {
    const found = {
      ...draft,
      patient: {
        nhsNumber: '943 476 5919',
        name: 'Mrs Mary Example',
        dateOfBirth: '1956-04-03',
        nhsNumbersFound: 1,
      },
    };
    const fields = initialFields(found, now);
    expect([fields.nhsNumber, fields.patientName, fields.dateOfBirth]).toEqual([
      '943 476 5919',
      'Mrs Mary Example',
      '03/04/1956',
    ]);
  });
});
