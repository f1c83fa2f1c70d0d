/**
 * A scoped, structured logger for the app. Lines are formatted and redacted by the one log
 * policy shared with the relay (shared/log-format.ts): a field whose name says it may carry
 * message text, key material, a token, a passcode or patient data is redacted, so a careless
 * call cannot leak them. Log ids, counts, durations and `describeError(error)` only.
 */
import {
  formatLogLine,
  logLevelOrder,
  type LogFields,
  type LogLevel,
} from '../../../shared/log-format.js';

export type { LogFields, LogLevel } from '../../../shared/log-format.js';

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(scope: string): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(
  scope: string,
  options: { sink?: LogSink; level?: LogLevel } = {},
): Logger {
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const minimum =
    logLevelOrder[
      options.level ?? (process.env.PMSG_LOG_LEVEL as LogLevel | undefined) ?? 'warn'
    ] ?? 30;
  const write = (level: LogLevel, event: string, fields?: LogFields) => {
    if (logLevelOrder[level] < minimum) return;
    sink(formatLogLine({ level, scope, event, fields }));
  };
  return {
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (child) => createLogger(`${scope}.${child}`, options),
  };
}
