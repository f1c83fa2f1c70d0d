/**
 * Structured relay logs: one JSON object per line on stderr. Callers pass ids, counts, sizes and
 * durations only; fields whose names suggest secrets or content are dropped here as a backstop,
 * so neither ciphertext nor tokens nor enrolment codes reach a log file.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface RelayLogger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

const forbiddenField = /token|code$|secret|content|cipher|body|key|signature|authorization/i;
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;

export function createRelayLogger(
  level: LogLevel = 'info',
  sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): RelayLogger {
  const write = (at: LogLevel, event: string, fields?: LogFields) => {
    if (order[at] < order[level]) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level: at, event };
    for (const [name, value] of Object.entries(fields ?? {})) {
      if (value !== undefined && !forbiddenField.test(name)) record[name] = value;
    }
    sink(JSON.stringify(record));
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
