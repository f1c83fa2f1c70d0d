import { push, type PidMatcher } from './pid-matchers.js';

/**
 * Names and street addresses. A name cannot be recognised on its own, so only the two ways a
 * message marks one are used: a title ("Mrs Jane Smith", "Mr O'Neill", "Dr Patel") and a label
 * ("Name: Jane Smith", "patient name is Jane Smith"). Both are reported as a lower-severity
 * "possible patient name": the person may be a colleague. Initials ("Mrs P", "Mr J S") are
 * the recommended way to refer to a patient and are not reported.
 */

/** A capitalised name word: "Smith", "O'Neill", "Smith-Jones", "McDonald", "ZOË", "Brontë". */
const nameWord =
  "\\p{Lu}(?:['\u2019]\\p{Lu})?(?:\\p{Ll}+|\\p{Lu}+)(?:['\u2019\\-](?:\\p{Lu}?\\p{Ll}+|\\p{Lu}+)|\\p{Lu}\\p{Ll}+)*";
// In capitals only MRS and MISS: "MR", "MS" and "DR" are also MR scans, multiple sclerosis and
// diabetic retinopathy ("MS Clinic", "MR Knee", "DR Screening").
const titles = '(?:[Mm]rs|[Mm]r|[Mm]s|[Mm]iss|[Mm]x|[Mm]aster|[Dd]r|[Pp]rof|MRS|MISS)';
const titledName = new RegExp(
  `(?<![\\p{L}\\p{N}])${titles}\\.?[ \\t\\u00a0]{1,3}(?:\\p{Lu}\\.?[ \\t]{1,2}){0,2}(${nameWord})(?:[ \\t]{1,2}${nameWord}){0,2}(?![\\p{L}\\p{N}])`,
  'gu',
);
/** Capitalised words that follow a title without being a name ("Dr On call", "Mr To see"). */
const notNames = new Set([
  'On',
  'In',
  'At',
  'The',
  'To',
  'And',
  'Or',
  'Who',
  'Has',
  'Is',
  'Can',
  'Please',
  'Re',
  'GP',
  'OK',
  'NHS',
  'DOB',
  'MRN',
]);

// Spelt out rather than the `i` flag, which would let \p{Lu} match lower case too.
const patientWord = '(?:[Pp]atient|PATIENT|[Pp]t|PT)';
const nameLabel = '(?:[Nn]ame|NAME)';
const labelledName = new RegExp(
  `(?<![\\p{L}])(?:${patientWord}(?:'s)?[ \\t]{1,2}${nameLabel}|${nameLabel}|${patientWord})(?:[ \\t]{1,2}is[ \\t]{1,2}|[ \\t]{0,2}[:\\-\\u2013][ \\t]{0,2})(${nameWord}(?:[ \\t]{1,2}(?:\\p{Lu}\\.?[ \\t]{1,2})?${nameWord}){1,2})(?![\\p{L}\\p{N}])`,
  'gu',
);

export const matchPatientNames: PidMatcher = (text, out) => {
  for (const m of text.matchAll(titledName)) {
    if (notNames.has(m[1]!)) continue;
    push(out, 'patient-name', m.index, m[0], 'Possible patient name', 'possible');
  }
  for (const m of text.matchAll(labelledName)) {
    const name = m[1]!;
    if (notNames.has(name.split(/[ \t]/)[0]!)) continue;
    push(
      out,
      'patient-name',
      m.index + m[0].length - name.length,
      name,
      'Possible patient name',
      'possible',
    );
  }
};

/** "14 Acacia Avenue", "Flat 2, 7 St John's Road", "221b Baker St". */
const streetTypes =
  '(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Way|Crescent|Cres|Court|Ct|Gardens|Gdns|Place|Pl|Terrace|Grove|Hill|Park|Row|Walk|Square|Sq|Mews|Rise|View|Green|Parade|Vale|Gate|Wharf|Yard)';
const streetAddress = new RegExp(
  `(?<![\\p{L}\\p{N}])\\d{1,4}[A-Za-z]?,?[ \\t]{1,2}(?:${nameWord}[ \\t]{1,2}){1,3}${streetTypes}\\.?(?![\\p{L}\\p{N}])`,
  'gu',
);

export const matchAddresses: PidMatcher = (text, out) => {
  for (const m of text.matchAll(streetAddress)) {
    push(out, 'address', m.index, m[0], 'Street address');
  }
};
