/**
 * The Electron main process: lifecycle, the one window, and the wiring of the Electron-free core
 * (policy, session, IPC dispatcher) to Electron. Every decision lives in a pure function that a
 * plain-Node test covers; this file only connects them.
 */
import { app, BrowserWindow, clipboard, dialog, ipcMain, protocol, session, shell } from 'electron';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMessengerError, MessengerError } from '../../shared/errors.js';
import { createAppCore, type AppCore } from '../core/app/app-core.js';
import type { SystemClipboard } from '../core/clipboard/sensitive-clipboard.js';
import { windowsPrivateClipboardWriter } from '../core/clipboard/windows-private-clipboard.js';
import { readSettings } from '../core/app/user-settings.js';
import { isTrustedSender } from '../core/ipc/trusted-sender.js';
import { KeytarKeychain } from '../core/keychain/keytar-keychain.js';
import { createLogger } from '../core/log/logger.js';
import { notificationText, productName } from '../core/notify/notification-text.js';
import { loadPolicy, type LoadedPolicy } from '../core/policy/load-policy.js';
import { ProfileStore } from '../core/profile/profile-store.js';
import type { MessageView } from '../../shared/ipc/view-schemas.js';
import { appScheme, appSchemePrivileges, handleAppRequest } from './app-protocol.js';
import { electronPathPicker } from './pick-path.js';
import { registerIpcHandlers } from './register-ipc-handlers.js';
import { secureWindowOptions } from './secure-window-options.js';
import { hardenSession } from './session-guards.js';
import { shellPaths } from './shell-paths.js';
import { showNotification } from './show-notification.js';
import { watchLockTriggers } from './watch-lock-triggers.js';
import { hardenWebContents } from './web-contents-guards.js';

const log = createLogger('electron.main');
const paths = shellPaths(path.dirname(fileURLToPath(import.meta.url)));
const windowIds = new Set<number>();
let mainWindow: BrowserWindow | null = null;

function startOrExplain(): LoadedPolicy | null {
  try {
    return loadPolicy({ argv: process.argv, platform: process.platform });
  } catch (error) {
    const message = isMessengerError(error) ? error.message : 'The policy could not be read.';
    // Fail closed: no window, no profile opened. The message names the bad key for IT.
    console.error(message);
    dialog.showErrorBox(`${productName} cannot start`, message);
    app.exit(1);
    return null;
  }
}

function createWindow(core: AppCore, policy: LoadedPolicy): BrowserWindow {
  const window = new BrowserWindow(
    secureWindowOptions(paths.preload, { devTools: !app.isPackaged }),
  );
  windowIds.add(window.webContents.id);
  const contentsId = window.webContents.id;
  window.on('closed', () => {
    windowIds.delete(contentsId);
    mainWindow = null;
  });
  if (policy.policy.contentProtection) window.setContentProtection(true);
  window.once('ready-to-show', () => window.show());
  // A renderer crash must not leave a profile open behind a dead window.
  window.webContents.on('render-process-gone', () => void core.session.lock('user'));
  void window.loadURL(paths.appUrl);
  return window;
}

function notifyIncoming(core: AppCore, policy: LoadedPolicy, message: MessageView): void {
  const current = core.session.current();
  // A role's history, given to a holder who came on duty later, is not new to anyone.
  if (current === null || message.direction !== 'incoming' || message.role?.history) return;
  const settings = readSettings(current.settings, policy.policy);
  const conversation = current.profile.repositories.conversations.get(message.conversationId);
  const text = notificationText(
    {
      senderName: message.sender.displayName,
      senderRole: message.sender.role,
      text: message.text,
      urgent: message.urgent,
      ...(message.role ? { roleName: message.role.name } : {}),
      ...(conversation?.kind === 'group' ? { groupName: conversation.title ?? 'a group' } : {}),
      ...(message.notice ? { notice: true } : {}),
    },
    {
      chosen: settings.notificationPrivacy,
      policyLeastPrivate: policy.policy.notificationPrivacy,
      windowFocused: mainWindow?.isFocused() ?? false,
    },
  );
  if (text === null) return;
  showNotification(text, () => {
    mainWindow?.show();
    mainWindow?.focus();
  });
}

/** The system clipboard; record entries are on Windows kept out of history and cloud sync. */
function systemClipboard(): SystemClipboard {
  const writeText = (text: string) => clipboard.writeText(text);
  const readText = () => clipboard.readText();
  if (process.platform !== 'win32') return { writeText, readText };
  return {
    writeText,
    readText,
    writeSensitiveText: windowsPrivateClipboardWriter({
      spawn,
      writeText,
      readText,
      onFallback: (reason) => log.warn('clipboard_private_write_failed', { reason }),
    }),
  };
}

function main(): void {
  const policy = startOrExplain();
  if (policy === null) return;
  // Every renderer sandboxed, whatever a window's options say.
  app.enableSandbox();
  // Must happen before 'ready': the renderer is served from app://, not file:// (app-protocol.ts).
  protocol.registerSchemesAsPrivileged([appSchemePrivileges]);
  // Windows shows notifications only for an app id matching the installer's (electron-builder.yml).
  if (process.platform === 'win32') app.setAppUserModelId('uk.practicemessenger.desktop');
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const profiles = new ProfileStore({
    root: path.join(app.getPath('userData'), 'profiles'),
    keychain: new KeytarKeychain(),
  });
  const core = createAppCore({
    appInfo: { productName, version: app.getVersion(), platform: process.platform },
    policy,
    profileStore: profiles,
    clipboard: systemClipboard(),
    pickPath: electronPathPicker(
      dialog,
      () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null),
      () => app.getPath('documents'),
    ),
    // Only images, PDFs and plain text can be stored, so the viewer never gets a program.
    viewer: {
      open: async (file) => {
        const problem = await shell.openPath(file);
        if (problem)
          throw new MessengerError('internal', `The file could not be opened: ${problem}`);
      },
    },
    sendEvent: (channel, payload) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, payload);
    },
  });
  core.observe((event, payload) => {
    if (event === 'message.added') {
      notifyIncoming(core, policy, (payload as { message: MessageView }).message);
    }
  });

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('window-all-closed', () => {
    void core.session.lock('user').finally(() => app.quit());
  });
  app.on('before-quit', () => void core.session.lock('user'));

  void app.whenReady().then(() => {
    protocol.handle(appScheme, (request) => handleAppRequest(request, paths.rendererDir));
    hardenSession(session.defaultSession, paths.rendererDirUrl);
    registerIpcHandlers(ipcMain, core.dispatcher, (sender) =>
      isTrustedSender(sender, { appUrl: paths.appUrl, windowIds }),
    );
    watchLockTriggers(core.session, () => {
      const current = core.session.current();
      return current
        ? readSettings(current.settings, policy.policy).lockTimeoutMinutes
        : policy.policy.lockTimeoutMinutes;
    });
    mainWindow = createWindow(core, policy);
    app.on('activate', () => {
      if (mainWindow === null) mainWindow = createWindow(core, policy);
    });
    log.info('started', { policySource: policy.source });
  });
}

main();
