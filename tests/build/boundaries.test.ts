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

  it('refuses a db file importing a domain area: storage must not depend on a domain rule', async () => {
    // What messages-repository.ts did before the expiry was passed in.
    const errors = await boundaryErrors(
      'main/core/db/repositories/messages-repository.ts',
      "import { expiryFor } from '../../retention/expiry-policy.js';\nexport const a = expiryFor;\n",
    );
    expect(errors).toEqual([
      expect.stringContaining("main/core/db must not import '../../retention/expiry-policy.js'"),
    ]);
    expect(
      await boundaryErrors(
        'main/core/db/x.ts',
        "export { a } from '../messaging/messaging-core.js';\n",
      ),
    ).toHaveLength(1);
  });

  it('orders the rest of the core too: nothing below app imports it, nothing imports upwards', async () => {
    const refused: Array<[string, string]> = [
      ['main/core/log/x.ts', "export { a } from '../db/encrypted-database.js';\n"],
      ['main/core/profile/x.ts', "export { a } from '../messaging/enrolment.js';\n"],
      ['main/core/signal/x.ts', "export { a } from '../transcription/x.js';\n"],
      ['main/core/messaging/x.ts', "export { a } from '../app/profile-runtime.js';\n"],
      ['main/core/retention/x.ts', "export { a } from '../app/app-core.js';\n"],
    ];
    for (const [file, source] of refused) {
      expect(await boundaryErrors(file, source), file).toEqual([
        expect.stringContaining('is a higher layer of the core'),
      ]);
    }
    const allowed: Array<[string, string]> = [
      ['main/core/db/x.ts', "export { a } from '../log/logger.js';\n"],
      ['main/core/profile/x.ts', "export { a } from '../keychain/keychain.js';\n"],
      ['main/core/messaging/x.ts', "export { a } from '../signal/signal-stores.js';\n"],
      ['main/core/retention/x.ts', "export { a } from '../messaging/transcribed-markers.js';\n"],
      ['main/core/app/x.ts', "export { a } from '../retention/retention-service.js';\n"],
    ];
    for (const [file, source] of allowed)
      expect(await boundaryErrors(file, source), file).toEqual([]);
  });

  it('asks for a new sub-area of the core to be given a layer', async () => {
    expect(
      await boundaryErrors('main/core/groups/x.ts', "export { a } from '../db/x.js';\n"),
    ).toEqual([expect.stringContaining('main/core/groups is in no layer of the core')]);
  });

  it('keeps the CLI adapter beside the shell: it may use the core, the core never uses it', async () => {
    expect(
      await boundaryErrors('main/cli/x.ts', "export { a } from '../core/app/app-core.js';\n"),
    ).toEqual([]);
    expect(
      await boundaryErrors('main/core/app/x.ts', "export { a } from '../../cli/main.js';\n"),
    ).toEqual([expect.stringContaining('main/core must not import')]);
  });
});
