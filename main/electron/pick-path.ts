/**
 * The native dialogs behind transcription.saveFhir, export.conversation and attachments (choose
 * a file to send, save a received one). The
 * renderer never names a path: main asks the user here, so a compromised renderer cannot write
 * patient data wherever it likes.
 */
import type { BrowserWindow, Dialog } from 'electron';
import path from 'node:path';
import type { FileFilter, PathPicker } from '../core/app/clinical-handlers.js';

const fhirJson: FileFilter = { name: 'FHIR JSON', extensions: ['json'] };

export function electronPathPicker(
  dialog: Pick<Dialog, 'showSaveDialog' | 'showOpenDialog'>,
  parentWindow: () => BrowserWindow | null,
  documentsFolder: () => string,
): PathPicker {
  return {
    async saveFile({ title, defaultName, filter = fhirJson }) {
      const options = {
        title,
        defaultPath: path.join(documentsFolder(), defaultName),
        filters: [{ name: filter.name, extensions: [...filter.extensions] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'] as Array<
          'createDirectory' | 'showOverwriteConfirmation'
        >,
      };
      const window = parentWindow();
      const result = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    async openFile({ title, filter }) {
      const options = {
        title,
        defaultPath: documentsFolder(),
        filters: [{ name: filter.name, extensions: [...filter.extensions] }],
        properties: ['openFile'] as Array<'openFile'>,
      };
      const window = parentWindow();
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async chooseFolder({ title }) {
      const options = {
        title,
        defaultPath: documentsFolder(),
        properties: ['openDirectory', 'createDirectory'] as Array<
          'openDirectory' | 'createDirectory'
        >,
      };
      const window = parentWindow();
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}
