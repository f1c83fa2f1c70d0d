import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { figure, figureRecord } from '../../bench/figures.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import * as benchFigures from '../../build/scripts/bench-figures.mjs';

const { figuresDocument, parseBenchArgs, parseFigureLines } = benchFigures as {
  figuresDocument: (perBench: Array<{ bench: string; text: string }>) => string;
  parseBenchArgs: (argv: string[]) => { json: string | null; wanted: string[] };
  parseFigureLines: (text: string, bench: string) => unknown[];
};

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pmsg-bench-test-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('bench figures (npm run bench -- --json <file>)', () => {
  it('derives the ratio from the baseline, keeps a given one, and leaves both out when absent', () => {
    expect(figureRecord({ name: 'a', value: 30, unit: 'ms', baseline: 120 })).toEqual({
      name: 'a',
      value: 30,
      unit: 'ms',
      baseline: 120,
      ratio: 0.25,
    });
    expect(figureRecord({ name: 'b', value: 3, unit: 'x', baseline: 2, ratio: 7 }).ratio).toBe(7);
    expect(figureRecord({ name: 'c', value: 5, unit: 'ms' })).toEqual({
      name: 'c',
      value: 5,
      unit: 'ms',
    });
    expect(() => figureRecord({ name: 'd', value: NaN, unit: 'ms' })).toThrow(
      "Benchmark figure 'd': value is NaN",
    );
  });

  it('appends one JSON line per figure to the named file, and nothing without one', () => {
    const file = path.join(tempDir(), 'figures.jsonl');
    figure({ name: 'search', value: 2, unit: 'ms', baseline: 100 }, file);
    figure({ name: 'rss', value: 120, unit: 'MiB' }, file);
    figure({ name: 'ignored', value: 1, unit: 'ms' }, '');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { name: 'search', value: 2, unit: 'ms', baseline: 100, ratio: 0.02 },
      { name: 'rss', value: 120, unit: 'MiB' },
    ]);
  });

  it('reads the command line: --json with a file, bench names, and says what is wrong', () => {
    expect(parseBenchArgs(['--json', 'out.json', 'relay'])).toEqual({
      json: 'out.json',
      wanted: ['relay'],
    });
    expect(parseBenchArgs(['pid', '--json=x.json'])).toEqual({ json: 'x.json', wanted: ['pid'] });
    expect(parseBenchArgs([])).toEqual({ json: null, wanted: [] });
    expect(() => parseBenchArgs(['--json'])).toThrow('--json needs a file');
    expect(() => parseBenchArgs(['--json', '--fast'])).toThrow('--json needs a file');
    expect(() => parseBenchArgs(['--fast'])).toThrow("Unknown option '--fast'");
  });

  it('gathers every benchmark into one array tagged with the benchmark, and refuses a bad line', () => {
    const document = figuresDocument([
      {
        bench: 'profile',
        text: '{"name":"unlock","value":400,"unit":"ms","baseline":380,"ratio":1.05}\n',
      },
      { bench: 'pid', text: '' },
      {
        bench: 'relay',
        text: '{"name":"p50","value":9,"unit":"ms"}\n\n{"name":"p99","value":20,"unit":"ms"}\n',
      },
    ]);
    expect(JSON.parse(document)).toEqual([
      { bench: 'profile', name: 'unlock', value: 400, unit: 'ms', baseline: 380, ratio: 1.05 },
      { bench: 'relay', name: 'p50', value: 9, unit: 'ms' },
      { bench: 'relay', name: 'p99', value: 20, unit: 'ms' },
    ]);
    expect(() => parseFigureLines('{"name":"x","value":"9","unit":"ms"}', 'relay')).toThrow(
      'relay, figure line 1: needs name, a finite value and unit',
    );
    expect(() => parseFigureLines('ok\n', 'pid')).toThrow('pid, figure line 1: not JSON');
  });

  it('npm run bench -- --json writes the figures of a real benchmark and keeps the human output', () => {
    const out = path.join(tempDir(), 'figures.json');
    const run = spawnSync(
      process.execPath,
      ['build/scripts/bench.mjs', '--json', out, 'ipc-dispatch'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, PMSG_KEYRING_READY: '1' } },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('validation overhead, small call');
    const figures = JSON.parse(readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
    expect(figures.map((f) => f['name'])).toEqual([
      'app.info via dispatcher',
      'messages.page (100) via dispatcher',
    ]);
    for (const f of figures) {
      expect(f).toMatchObject({ bench: 'ipc-dispatch', unit: 'calls/s' });
      expect(f['ratio']).toBeCloseTo((f['value'] as number) / (f['baseline'] as number), 9);
    }
  });

  it('exits 2 on a bad command line before running anything', () => {
    const run = spawnSync(process.execPath, ['build/scripts/bench.mjs', '--json'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PMSG_KEYRING_READY: '1' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--json needs a file');
  });
});
