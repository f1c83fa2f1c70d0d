/**
 * Who may call IPC methods: only the main frame of our own window, showing our own page. An
 * iframe, a page navigated elsewhere (navigation is denied, but defence in depth) or another
 * window gets nothing.
 */
export interface SenderFacts {
  /** URL of the frame that sent the message; null when the frame is gone. */
  frameUrl: string | null;
  /** The frame is its window's top frame, not an iframe. */
  isMainFrame: boolean;
  /** The webContents id of the sender. */
  webContentsId: number;
}

export interface TrustedSenderRule {
  /** `file:` URL of the renderer's index.html, e.g. from pathToFileURL(). */
  appUrl: string;
  /** webContents ids of the windows we created. */
  windowIds: ReadonlySet<number>;
}

export function isTrustedSender(sender: SenderFacts, rule: TrustedSenderRule): boolean {
  if (!sender.isMainFrame || sender.frameUrl === null) return false;
  if (!rule.windowIds.has(sender.webContentsId)) return false;
  return isAppUrl(sender.frameUrl, rule.appUrl);
}

/** Same file as the app page; the hash may differ (client-side routes), nothing else may. */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  let actual: URL;
  let expected: URL;
  try {
    actual = new URL(candidate);
    expected = new URL(appUrl);
  } catch {
    return false;
  }
  return (
    actual.protocol === expected.protocol &&
    (expected.protocol === 'app:' || expected.protocol === 'file:') &&
    actual.host === expected.host &&
    actual.pathname === expected.pathname &&
    actual.search === '' &&
    actual.username === '' &&
    actual.password === ''
  );
}
