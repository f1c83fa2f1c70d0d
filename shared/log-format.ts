/**
 * The one log policy of the app and the relay: which fields are redacted and how a line looks.
 * Each side has its own logger and sink (main/core/log/logger.ts, server/log.ts); both format
 * here, so a field that is redacted on one side is redacted on the other. Callers log ids,
 * counts, durations and error kinds (describe-error.ts); the names below are the backstop for a
 * careless call, so message text, keys, tokens, passcodes and patient data cannot reach a log.
 */
export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];
export const logLevelOrder: Readonly<Record<LogLevel, number>> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};

export type LogValue = string | number | boolean | null;
export type LogFields = Readonly<Record<string, LogValue | undefined>>;

/**
 * Field names that may carry message text, ciphertext, key material, a token, a passcode, a
 * person's name or patient data. `code` alone is the protocol's name for an enrolment code:
 * protocol and close codes are logged as `errorCode` / `closeCode`.
 */
const redactedFieldName =
  /text|body|content|plain|cipher|secret|token|passcode|password|authori[sz]ation|signature|nhs|patient|dob|envelope|payload|key$|^pin$|name$|^code$|enrolmentcode/i;

export const redactedValue = '[redacted]';

export function isRedactedField(name: string): boolean {
  return redactedFieldName.test(name);
}

/** The fields as logged: undefined ones dropped, redacted ones replaced by `[redacted]`. */
export function redactFields(fields: LogFields | undefined): Record<string, LogValue> {
  const out: Record<string, LogValue> = {};
  for (const [name, value] of Object.entries(fields ?? {})) {
    if (value === undefined) continue;
    out[name] = isRedactedField(name) ? redactedValue : value;
  }
  return out;
}

export interface LogEntry {
  readonly level: LogLevel;
  readonly event: string;
  /** Where in the app the line comes from, e.g. `app.messaging`; the relay has none. */
  readonly scope?: string;
  readonly fields?: LogFields;
  readonly time?: Date;
}

const reserved = new Set(['time', 'level', 'scope', 'event']);

/** One JSON object per line. A field never replaces time, level, scope or event. */
export function formatLogLine(entry: LogEntry): string {
  const record: Record<string, LogValue> = {
    time: (entry.time ?? new Date()).toISOString(),
    level: entry.level,
    ...(entry.scope === undefined ? {} : { scope: entry.scope }),
    event: entry.event,
  };
  for (const [name, value] of Object.entries(redactFields(entry.fields))) {
    record[reserved.has(name) ? `${name}Field` : name] = value;
  }
  return JSON.stringify(record);
}
