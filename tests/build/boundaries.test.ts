import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId?.startsWith('project/'))
    .map((m) => m.message);
}

describe('import boundaries (lint)', () => {
  it('refuses Node built-ins in the renderer', async () => {
    const errors = await boundaryErrors(
      'renderer/src/x.ts',
      "import fs from 'node:fs';\nexport const a = fs;\n",
    );
    expect(errors).toEqual([
      expect.stringContaining("renderer must not import the Node built-in 'node:fs'"),
    ]);
  });

  it('refuses main/ from the renderer', async () => {
    const errors = await boundaryErrors(
      'renderer/src/x.ts',
      "export { a } from '../../main/core/a.js';\n",
    );
    expect(errors).toEqual([expect.stringContaining('renderer must not import')]);
  });

  it('refuses electron outside main/electron and preload', async () => {
    expect(
      await boundaryErrors(
        'main/core/x.ts',
        "import { app } from 'electron';\nexport const a = app;\n",
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(
        'main/electron/x.ts',
        "import { app } from 'electron';\nexport const a = app;\n",
      ),
    ).toEqual([]);
  });

  it('keeps shared/ free of the other areas and of Node', async () => {
    expect(
      await boundaryErrors('shared/x.ts', "export { a } from '../main/core/a.js';\n"),
    ).toHaveLength(1);
    expect(
      await boundaryErrors('shared/x.ts', "import os from 'os';\nexport const a = os;\n"),
    ).toHaveLength(1);
    expect(await boundaryErrors('shared/x.ts', "export { a } from './clinical/a.js';\n")).toEqual(
      [],
    );
  });

  it('lets the relay import shared/ only', async () => {
    expect(await boundaryErrors('server/x.ts', "export { a } from '../shared/a.js';\n")).toEqual(
      [],
    );
    expect(
      await boundaryErrors('server/x.ts', "export { a } from '../main/core/a.js';\n"),
    ).toHaveLength(1);
  });

  it('keeps main/ out of the renderer', async () => {
    expect(
      await boundaryErrors('main/core/x.ts', "export { a } from '../../renderer/src/a.js';\n"),
    ).toHaveLength(1);
  });

  it('flags a source file outside every area', async () => {
    const errors = await boundaryErrors('stray/x.ts', 'export const a = 1;\n');
    expect(errors).toEqual([expect.stringContaining('outside every area')]);
  });
});
