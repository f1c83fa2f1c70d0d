/**
 * What the words around a date say it is. A date of birth is an identifier; an appointment,
 * review or result date in a message about a patient is not, and flagging those would teach
 * users to click past the warning (issue 11: "a plain date is a date, not a date of birth,
 * unless the context says so").
 */

/** Just before a date: "DOB", "d.o.b.", "D.O.B:", "date of birth", "born (on)", "b.". */
export const dobKeywordSource =
  "(?<![A-Za-z])(?:d\\.?[ \\t]?o\\.?[ \\t]?b\\.?|date[ \\t]{1,2}of[ \\t]{1,2}birth|birth[ \\t]?date|born(?:[ \\t]{1,2}(?:on|in))?(?:[ \\t]{1,2}the)?|b\\.)(?:['\u2019]s)?(?![A-Za-z])";
const dobKeywordBefore = new RegExp(
  `${dobKeywordSource}(?:[\\s:=,\\-\\u2013]{0,4}(?:is|was|of)?[\\s:=,\\-\\u2013]{0,4})$`,
  'i',
);

/**
 * An age next to the date: "aged 67", "age: 67", "67 yo", "67 y/o", "67-year-old", "67 years
 * old", "67yrs old", "6 months old". Bare durations ("in 2 years") are not ages.
 */
const ageWords =
  /(?<![A-Za-z])(?:aged?[ \t:]{1,3}\d{1,3}|\d{1,3}[ \t]?(?:yo|y\/o|yr?s?[ \t-]old|years?[ \t-]old|-years?-old|months?[ \t-]old|weeks?[ \t-]old))(?![A-Za-z])/i;

/**
 * Just before a date: words saying it is when something happens or happened (an appointment, a
 * review, a result, a letter, a start or stop date), or a weekday (nobody gives a date of birth
 * as "Tuesday 3rd December 2019").
 */
const eventWordsBefore =
  /(?<![A-Za-z])(?:appointments?|appts?|booked|book|clinic|reviews?|reviewed|follow(?:ed)?[- ]?up|f\/u|seen|see|saw|letter|dated|admitted|admission|discharged?|scans?|x-?rays?|mri|ct|ecg|bloods?|results?|referr(?:al|ed)|vaccin\w*|jabs?|immunisations?|due|expir\w*|from|until|till|since|last|next|on|by|before|after|w\/c|week[ \t]of|starting|start(?:s|ed)?|stopp?(?:ed)?|surgery|operation|visit|call(?:ed)?|rang|sent|received|issued|prescribed|smear|test(?:ed)?|echo|colonoscopy|endoscopy|ogd|biopsy|mammogram|ultrasound|uss|dexa|spirometry|holter|angiogram|op|procedure|injection|dose|course|episode|mi|stroke|tia|fracture|fall|diagnos\w*|dx|commenced|changed|increased|reduced|dna|attend(?:ed)?|cancell?ed|rebooked|moved|phoned|emailed|collect(?:ed|ion)|dispensed|ordered|requested|completed|done|taken|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?|replacement|repair|transplant|fixation|\w+(?:ectomy|otomy|ostomy|plasty|scopy|graphy|gram)|between|and|to|or|of)[\s:,.\-–]{0,3}(?:the[ \t]{1,2})?$/i;

export type DateContext = 'birth' | 'event' | 'plain';

export function dateContext(text: string, start: number, end: number): DateContext {
  const before = text.slice(Math.max(0, start - 32), start);
  if (dobKeywordBefore.test(before)) return 'birth';
  const around = text.slice(Math.max(0, start - 40), Math.min(text.length, end + 40));
  if (ageWords.test(around)) return 'birth';
  if (eventWordsBefore.test(before)) return 'event';
  return 'plain';
}

/**
 * Whether a date with no telling context is still reported: one more than two years before
 * `currentYear` may well be a date of birth ("Mrs A, 03/04/1956, asks..."); a recent or future
 * one is almost always an appointment or a result.
 */
export function plainDateIsReported(year: number, currentYear: number): boolean {
  return year < currentYear - 2;
}
