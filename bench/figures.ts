// One figure of a benchmark, printed by the benchmark itself as before and also appended, one JSON
// object a line, to the file build/scripts/bench.mjs names in PMSG_BENCH_FIGURES. bench.mjs then
// gathers every benchmark's lines into the file of `npm run bench -- --json <file>`.
import { appendFileSync } from 'node:fs';

export interface Figure {
  /** What was measured, stable across runs (a machine compares runs by name). */
  readonly name: string;
  readonly value: number;
  /** 'ms', 'messages/s', 'x', 'MiB', ... */
  readonly unit: string;
  /** The same measurement of the baseline, in the same unit, from the same run. */
  readonly baseline?: number;
  /** value / baseline unless given (for ratios that are not of the two figures above). */
  readonly ratio?: number;
}

/** The object written for a figure: finite numbers only, ratio derived from the baseline. */
export function figureRecord(figure: Figure): Figure {
  const numbers = { value: figure.value, baseline: figure.baseline, ratio: figure.ratio };
  for (const [key, n] of Object.entries(numbers)) {
    if (n !== undefined && !Number.isFinite(n)) {
      throw new Error(`Benchmark figure '${figure.name}': ${key} is ${n}, not a finite number`);
    }
  }
  const ratio =
    figure.ratio ??
    (figure.baseline !== undefined && figure.baseline !== 0
      ? figure.value / figure.baseline
      : undefined);
  return {
    name: figure.name,
    value: figure.value,
    unit: figure.unit,
    ...(figure.baseline !== undefined ? { baseline: figure.baseline } : {}),
    ...(ratio !== undefined ? { ratio } : {}),
  };
}

/** Records a figure for `--json`; a no-op when the benchmark runs without it. */
export function figure(figure: Figure, file = process.env['PMSG_BENCH_FIGURES']): void {
  const record = figureRecord(figure);
  if (file) appendFileSync(file, `${JSON.stringify(record)}\n`);
}
