/**
 * One `ipcMain.handle` per contract method on its own channel (`pm:profiles.unlock`), never a
 * generic invoke. Each call first proves it comes from our window's main frame showing our page,
 * then goes to the Electron-free dispatcher, which validates it against the contract.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { methodChannel, methodNames } from '../../shared/ipc/names.js';
import { fail, type IpcResult } from '../../shared/ipc/result.js';
import type { IpcDispatcher } from '../core/ipc/ipc-dispatcher.js';
import type { SenderFacts } from '../core/ipc/trusted-sender.js';
import { createLogger } from '../core/log/logger.js';

const log = createLogger('electron.ipc');

export type SenderEvent = Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>;

export function senderFacts(event: SenderEvent): SenderFacts {
  const frame = event.senderFrame;
  return {
    frameUrl: frame?.url ?? null,
    // A top-level frame has no parent.
    isMainFrame: frame !== null && frame !== undefined && frame.parent === null,
    webContentsId: event.sender.id,
  };
}

export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dispatcher: IpcDispatcher,
  isTrusted: (sender: SenderFacts) => boolean,
): () => void {
  const channels = methodNames.map((method) => {
    const channel = methodChannel(method);
    ipcMain.handle(channel, async (event, request: unknown): Promise<IpcResult<unknown>> => {
      if (!isTrusted(senderFacts(event))) {
        log.warn('untrusted_sender', { method });
        return fail('forbidden', 'This window may not call the messenger.');
      }
      return dispatcher.dispatch(method, request);
    });
    return channel;
  });
  return () => channels.forEach((channel) => ipcMain.removeHandler(channel));
}
