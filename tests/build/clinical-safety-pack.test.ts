import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The clinical-safety pack (docs/clinical-safety/) must stay true: every control of the DCB0129
// hazard log names tests, and every file it names exists.

const root = path.resolve(import.meta.dirname, '../..');
const pack = path.join(root, 'docs/clinical-safety');
const read = (name: string) => readFileSync(path.join(pack, name), 'utf8');

describe('the clinical-safety pack', () => {
  it('names, for every hazard, controls with at least one test', () => {
    const hazards = read('hazard-log.md').split(/^## /m).slice(1);
    expect(hazards.length).toBeGreaterThanOrEqual(9);
    for (const hazard of hazards) {
      const title = hazard.split('\n')[0];
      const controls = /\*\*Controls\*\*:([\s\S]*?)\n- \*\*Residual\*\*/.exec(hazard)?.[1] ?? '';
      expect(controls, `${title}: controls`).toMatch(/`tests\/[^`]+`/);
      for (const field of ['**Cause**', '**Effect**', '**Initial**', '**Residual**']) {
        expect(hazard, `${title}: ${field}`).toContain(field);
      }
    }
  });

  it('names only files that exist', () => {
    for (const name of [
      'hazard-log.md',
      'dpia.md',
      'dtac.md',
      'safety-case-report.md',
      'dcb0160-checklist.md',
    ]) {
      for (const [, file] of read(name).matchAll(/`((?:tests|main|server|shared)\/[^`\s]+)`/g)) {
        expect(existsSync(path.join(root, file!)), `${name} names ${file}`).toBe(true);
      }
    }
  });

  it('cites the standards by name', () => {
    const all = [
      'README.md',
      'hazard-log.md',
      'dpia.md',
      'dtac.md',
      'safety-case-report.md',
      'dcb0160-checklist.md',
    ]
      .map(read)
      .join('\n');
    for (const standard of [
      'DCB0129',
      'DCB0160',
      'UK GDPR',
      'DSPT',
      'DTAC',
      'Records Management Code of Practice 2023',
    ]) {
      expect(all).toContain(standard);
    }
  });
});
