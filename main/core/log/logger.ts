/**
 * A scoped, structured logger. It takes an event name and a flat record of fields, and drops any
 * field whose name says it may carry message text, key material, a token, a passcode or patient
 * data — so a careless call cannot leak them. Log values such as ids, counts and durations only.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(scope: string): Logger;
}

export type LogSink = (line: string) => void;

const forbiddenField =
  /text|body|content|plain|cipher|secret|token|passcode|password|nhs|patient|dob|envelope|payload|key$|^pin$|name$|enrolmentcode/i;
const levelOrder: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function redact(
  fields: LogFields | undefined,
): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [name, value] of Object.entries(fields ?? {})) {
    if (value === undefined) continue;
    out[name] = forbiddenField.test(name) ? '[redacted]' : value;
  }
  return out;
}

export function createLogger(
  scope: string,
  options: { sink?: LogSink; level?: LogLevel } = {},
): Logger {
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const minimum =
    levelOrder[options.level ?? (process.env.PMSG_LOG_LEVEL as LogLevel | undefined) ?? 'warn'] ??
    30;
  const write = (level: LogLevel, event: string, fields?: LogFields) => {
    if (levelOrder[level] < minimum) return;
    sink(
      JSON.stringify({ time: new Date().toISOString(), level, scope, event, ...redact(fields) }),
    );
  };
  return {
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (child) => createLogger(`${scope}.${child}`, options),
  };
}
