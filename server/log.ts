/**
 * Structured relay logs: one JSON object per line on stderr, formatted and redacted by the log
 * policy shared with the app (shared/log-format.ts). Callers pass ids, counts, sizes, durations
 * and `describeError(error)` only; fields whose names suggest secrets or content are redacted
 * as a backstop, so neither ciphertext nor tokens nor enrolment codes reach a log file.
 */
import {
  formatLogLine,
  logLevelOrder,
  type LogFields,
  type LogLevel,
} from '../shared/log-format.js';

export { logLevels, type LogFields, type LogLevel } from '../shared/log-format.js';

export interface RelayLogger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export function createRelayLogger(
  level: LogLevel = 'info',
  sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): RelayLogger {
  const write = (at: LogLevel, event: string, fields?: LogFields) => {
    if (logLevelOrder[at] < logLevelOrder[level]) return;
    sink(formatLogLine({ level: at, event, fields }));
  };
  return {
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
  };
}

export const silentLogger: RelayLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
