/**
 * The options of every window we open. A pure function so a plain-Node unit test can assert each
 * hardening flag: a regression here (say, sandbox off) must fail CI, not slip through review.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowChoices {
  /** Developer tools are for unpackaged builds only. */
  devTools: boolean;
}

export function secureWindowOptions(
  preloadPath: string,
  choices: WindowChoices,
): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'Practice Messenger',
    // Shown on 'ready-to-show', so the user never sees an empty white frame.
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // On Linux Chromium downloads dictionaries from Google and sends nothing else, but the
      // app must make no connection other than to the relay.
      spellcheck: false,
      // A middle click must not open or navigate anything (Electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
      devTools: choices.devTools,
    },
  };
}
