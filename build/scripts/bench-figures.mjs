// The machine-readable side of `npm run bench -- --json <file>`: each benchmark appends its
// figures (bench/figures.ts) as JSON lines to its own file; these helpers read them back and
// write one JSON array, each object a figure with the benchmark it came from.

/**
 * Splits the command line: `--json <file>` (or `--json=<file>`) and the benchmark names to run.
 * Throws with what to type instead when `--json` has no file or an option is unknown.
 */
export function parseBenchArgs(argv) {
  let json = null;
  const wanted = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--json' || arg.startsWith('--json=')) {
      const file = arg === '--json' ? argv[(i += 1)] : arg.slice('--json='.length);
      if (!file || file.startsWith('--')) {
        throw new Error('--json needs a file: npm run bench -- --json figures.json [bench names]');
      }
      json = file;
    } else if (arg.startsWith('-')) {
      throw new Error(
        `Unknown option '${arg}'. Usage: npm run bench -- [--json <file>] [bench names...]`,
      );
    } else {
      wanted.push(arg);
    }
  }
  return { json, wanted };
}

const isNumber = (n) => typeof n === 'number' && Number.isFinite(n);

/**
 * The figures in one benchmark's JSON-lines text, each tagged with the benchmark. A line that is
 * not a figure (name, finite value, unit; baseline and ratio finite when present) throws, naming
 * the benchmark and line, since a silently dropped figure would look like a missing measurement.
 */
export function parseFigureLines(text, bench) {
  return text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line !== '')
    .map(({ line, index }) => {
      let parsed;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`${bench}, figure line ${index + 1}: not JSON`);
      }
      const ok =
        parsed !== null &&
        typeof parsed === 'object' &&
        typeof parsed.name === 'string' &&
        parsed.name !== '' &&
        isNumber(parsed.value) &&
        typeof parsed.unit === 'string' &&
        (parsed.baseline === undefined || isNumber(parsed.baseline)) &&
        (parsed.ratio === undefined || isNumber(parsed.ratio));
      if (!ok) {
        throw new Error(
          `${bench}, figure line ${index + 1}: needs name, a finite value and unit ` +
            `(baseline and ratio finite when present)`,
        );
      }
      const { name, value, unit, baseline, ratio } = parsed;
      return {
        bench,
        name,
        value,
        unit,
        ...(baseline !== undefined ? { baseline } : {}),
        ...(ratio !== undefined ? { ratio } : {}),
      };
    });
}

/** The text of the `--json` file: every figure of every benchmark, in run order. */
export function figuresDocument(perBench) {
  const figures = perBench.flatMap(({ bench, text }) => parseFigureLines(text, bench));
  return `${JSON.stringify(figures, null, 2)}\n`;
}
