import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronPathPicker } from '../../../main/electron/pick-path.js';

function fakeDialog(answer: { canceled: boolean; filePath?: string; filePaths?: string[] }) {
  const calls: Array<{ window: unknown; options: Record<string, unknown> }> = [];
  const record = (a: unknown, b?: unknown) => {
    const [window, options] = b === undefined ? [null, a] : [a, b];
    calls.push({ window, options: options as Record<string, unknown> });
    return Promise.resolve({
      canceled: answer.canceled,
      filePath: answer.filePath ?? '',
      filePaths: answer.filePaths ?? [],
    });
  };
  const dialog = { showSaveDialog: record, showOpenDialog: record } as unknown as Parameters<
    typeof electronPathPicker
  >[0];
  return { dialog, calls };
}

describe('native path dialogs', () => {
  type Window = NonNullable<ReturnType<Parameters<typeof electronPathPicker>[1]>>;
  const window = { id: 1 } as unknown as Window;

  it('offers a JSON file in Documents, parented to the window, and returns the choice', async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePath: '/home/gp/entry.json' });
    const picker = electronPathPicker(
      dialog,
      () => window,
      () => '/home/gp/Documents',
    );
    expect(await picker.saveFile({ title: 'Save', defaultName: 'record-entry.json' })).toBe(
      '/home/gp/entry.json',
    );
    expect(calls[0]?.window).toBe(window);
    expect(calls[0]?.options).toMatchObject({
      defaultPath: path.join('/home/gp/Documents', 'record-entry.json'),
      filters: [{ name: 'FHIR JSON', extensions: ['json'] }],
    });
  });

  it('returns null when the user cancels', async () => {
    const { dialog } = fakeDialog({
      canceled: true,
      filePath: '/ignored',
      filePaths: ['/ignored'],
    });
    const picker = electronPathPicker(
      dialog,
      () => null,
      () => '/docs',
    );
    expect(await picker.saveFile({ title: 'Save', defaultName: 'x.json' })).toBeNull();
    expect(await picker.chooseFolder({ title: 'Folder' })).toBeNull();
  });

  it('asks for a folder only (never files) for an export', async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePaths: ['/exports'] });
    const picker = electronPathPicker(
      dialog,
      () => window,
      () => '/docs',
    );
    expect(await picker.chooseFolder({ title: 'Folder' })).toBe('/exports');
    expect(calls[0]?.options['properties']).toEqual(['openDirectory', 'createDirectory']);
  });

  it('asks for one existing file of the allowed kinds to attach, and saves with its own filter', async () => {
    const { dialog, calls } = fakeDialog({
      canceled: false,
      filePaths: ['/home/gp/scan.pdf'],
      filePath: '/home/gp/Documents/rash.png',
    });
    const picker = electronPathPicker(
      dialog,
      () => window,
      () => '/home/gp/Documents',
    );
    const filter = { name: 'Images and PDF', extensions: ['png', 'pdf'] };
    expect(await picker.openFile({ title: 'Attach a file', filter })).toBe('/home/gp/scan.pdf');
    expect(calls[0]?.options).toMatchObject({
      properties: ['openFile'],
      filters: [{ name: 'Images and PDF', extensions: ['png', 'pdf'] }],
    });
    expect(
      await picker.saveFile({
        title: 'Save',
        defaultName: 'rash.png',
        filter: { name: 'PNG image', extensions: ['png'] },
      }),
    ).toBe('/home/gp/Documents/rash.png');
    expect(calls[1]?.options).toMatchObject({
      defaultPath: path.join('/home/gp/Documents', 'rash.png'),
      filters: [{ name: 'PNG image', extensions: ['png'] }],
    });
  });
});
