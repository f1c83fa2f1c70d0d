/**
 * What may be logged about an error: its kind (the class name) and its code when it has a plain
 * one, e.g. `MessengerError:not_found`, `RelayRequestError:network`, `SqliteError:SQLITE_BUSY`.
 * Never its message: messages quote file paths, what a peer or the relay sent, and sometimes
 * message text or a patient identifier. The IPC dispatcher, the messaging core and the relay all
 * log errors through this one function.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return error === null ? 'null' : typeof error;
  const kind = /^[A-Za-z][A-Za-z0-9]{0,47}$/.test(error.name) ? error.name : 'Error';
  const code = plainCode((error as { code?: unknown }).code);
  return code === null ? kind : `${kind}:${code}`;
}

/**
 * A code written by a program: lower_snake (protocol and app codes), UPPER_SNAKE (Node, SQLite),
 * or a number. Mixed case is refused, so a token or other random string in `code` stays out.
 */
function plainCode(code: unknown): string | null {
  if (typeof code === 'number' && Number.isInteger(code)) return String(code);
  if (typeof code !== 'string') return null;
  return /^(?:[a-z][a-z0-9_]{0,47}|[A-Z][A-Z0-9_]{0,47})$/.test(code) ? code : null;
}
