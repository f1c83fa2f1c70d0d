// PID detection runs in the renderer on every keystroke. This measures it on a long message and
// in a simulated typing loop, against baselines measured in the same run (a single `/\d+/g` scan
// and `toLowerCase()` over the same text), and checks that adversarial inputs scale linearly.
// Bounded: each measurement stops after a fixed time budget; the whole run takes a few seconds.
import { detectPid } from '../shared/clinical/pid-detector.js';
import { figure } from './figures.js';

const budgetMs = 250;

/** Median ms per call of `fn`, called repeatedly until the budget is spent (at least 5 times). */
function measure(fn: () => unknown): number {
  for (let i = 0; i < 3; i += 1) fn(); // warm up the JIT and the regex compiler
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < 5 || performance.now() - started < budgetMs) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
    if (samples.length >= 10_000) break;
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

const digitScan = (text: string) => {
  let n = 0;
  for (const _ of text.matchAll(/\d+/g)) n += 1;
  return n;
};

// A realistic message: clinical chatter with PID sprinkled in, numbers that must not be flagged.
const sentences = [
  'Mrs Example rang about her repeat prescription, she has 10 tablets left and asks for a call back. ',
  'DOB 03/03/1950, NHS 943 476 5919, lives at SW1A 1AA, mobile 07700 900123. ',
  'BP 140/90 at 10:30, pulse 72, took 500mg paracetamol at 14.45, review in 2/52. ',
  'Please email the letter to jane.doe@nhs.net and copy the hospital, MRN RBA1234567. ',
  'Prescription charge is £9.90 per item; she has paid £12.50 already this month. ',
  'NI number AB 12 34 56 C on the form; landline 020 7946 0958; seen 3rd March 2025. ',
  'Mrs Jane Smith, dob 03 Apr 56, Hosp no for her is RX1234567, NHS 943.476.5919. ',
  'Apgars 9-10-10, oxycodone 5/5/10 mg, taper 40/30/20/10, BP 120/80, Hb 132, 1 g qds. ',
];
function message(length: number): string {
  let s = '';
  for (let i = 0; s.length < length; i += 1) s += sentences[i % sentences.length];
  return s.slice(0, length);
}

const options = { hospitalNumberPatterns: ['[A-Z]{3}\\d{7}', '\\d{7}'] };
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;

console.log('PID detection benchmark (median per call)');

const long = message(10_000);
const tDetect = measure(() => detectPid(long, options));
const tScan = measure(() => digitScan(long));
const tLower = measure(() => long.toLowerCase());
console.log(`\n10,000-character message (${detectPid(long, options).length} findings)`);
console.log(`  detectPid            ${fmt(tDetect)}`);
console.log(`  baseline /\\d+/g scan ${fmt(tScan)}   detectPid = ${ratio(tDetect, tScan)}`);
console.log(`  baseline toLowerCase ${fmt(tLower)}   detectPid = ${ratio(tDetect, tLower)}`);
figure({
  name: 'detectPid, 10,000 characters, vs /\\d+/g scan',
  value: tDetect,
  unit: 'ms',
  baseline: tScan,
});

// Typing a 2,000-character message: detection on every prefix, as the compose box does.
const typed = message(2_000);
const keystrokes = (fn: (prefix: string) => unknown) => () => {
  for (let i = 1; i <= typed.length; i += 1) fn(typed.slice(0, i));
};
const tTyping = measure(keystrokes((p) => detectPid(p, options)));
const tTypingBase = measure(keystrokes(digitScan));
console.log(`\nKeystroke loop: every prefix of a 2,000-character message (2,000 calls)`);
console.log(
  `  detectPid            ${fmt(tTyping)} total, ${fmt(tTyping / typed.length)} per keystroke`,
);
console.log(
  `  baseline /\\d+/g scan ${fmt(tTypingBase)} total   detectPid = ${ratio(tTyping, tTypingBase)}`,
);
const worstKeystroke = measure(() => detectPid(typed, options));
figure({
  name: 'detectPid keystroke loop, 2,000 prefixes',
  value: tTyping,
  unit: 'ms',
  baseline: tTypingBase,
});
figure({ name: 'detectPid longest prefix (2,000 characters)', value: worstKeystroke, unit: 'ms' });
console.log(`  longest prefix       ${fmt(worstKeystroke)} (a 60 Hz frame is 16.7 ms)`);

// Adversarial inputs: doubling the length must roughly double the time (linear, no
// catastrophic backtracking). Runs of token characters are the classic trap for lookbehind-less
// email and number regexes.
const adversarial: Array<[string, (n: number) => string]> = [
  ['one long digit run', (n) => '1'.repeat(n)],
  ['digits and spaces', (n) => '12 '.repeat(n / 3)],
  ['one long word', (n) => 'a'.repeat(n)],
  ['local part, no @', (n) => 'a.'.repeat(n / 2)],
  ['many @', (n) => 'a@'.repeat(n / 2)],
  ['dates without year', (n) => '3rd March '.repeat(n / 10)],
  ['MRN keywords', (n) => 'MRN 123456 '.repeat(n / 11)],
  ['postcode-ish', (n) => 'SW1A 1A '.repeat(n / 8)],
  ['titles, no name', (n) => 'Mr A '.repeat(n / 5)],
  ['one long capital word', (n) => `Mr ${'A'.repeat(n)}`],
  ['DOB keywords', (n) => 'DOB 1 '.repeat(n / 6)],
  ['NHS-ish digit groups', (n) => '943 476 '.repeat(n / 8)],
  ['house numbers', (n) => '12 Acacia '.repeat(n / 10)],
];
console.log('\nAdversarial inputs (time at 10k and 20k characters; linear means about 2x)');
let nonLinear = 0;
for (const [name, make] of adversarial) {
  const a = make(10_000);
  const b = make(20_000);
  const ta = measure(() => detectPid(a, options));
  const tb = measure(() => detectPid(b, options));
  const base = measure(() => digitScan(a));
  const growth = tb / ta;
  // Generous: two shared cores are noisy. Quadratic would show 4x, exponential would not finish.
  if (growth > 3.5) nonLinear += 1;
  figure({ name: `detectPid growth 10k -> 20k characters, ${name}`, value: growth, unit: 'x' });
  console.log(
    `  ${name.padEnd(20)} ${fmt(ta).padStart(10)} -> ${fmt(tb).padStart(10)}  growth ${growth.toFixed(1)}x  vs /\\d+/g ${ratio(ta, base)}`,
  );
}
if (nonLinear > 0) {
  console.error(`\n${nonLinear} adversarial input(s) grew faster than linearly`);
  process.exit(1);
}
