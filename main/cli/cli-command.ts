import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MessengerError } from '../../shared/errors.js';

/** Where a command writes: stdout gets JSON only, stderr gets progress and errors. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * One `pmsg client <name>` command. Each lives in its own file in ./commands/ and is found there
 * at start-up, so adding a command is adding one file.
 */
export interface CliCommand {
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** The argument synopsis, e.g. `--profile <dir> --to <accountId> --text <text>`. */
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Options that must be present. */
  readonly required?: readonly string[];
  /** A verb that must come first (`duty start`), handed to run as `values.verb`. */
  readonly verbs?: readonly string[];
  run(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number>;
}

/** Bad command line: exit 2 with the reason and the usage. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export function parseCommandArgs(
  command: CliCommand,
  argv: readonly string[],
): Record<string, string | boolean | undefined> {
  let values: Record<string, string | boolean | undefined>;
  let args = [...argv];
  let verb: string | undefined;
  if (command.verbs) {
    verb = args[0];
    if (verb === undefined || !command.verbs.includes(verb)) {
      throw new CliUsageError(
        `say ${command.verbs.map((v) => `\`${command.name} ${v}\``).join(' or ')}${verb === undefined ? '' : `, not "${verb}"`}.`,
      );
    }
    args = args.slice(1);
  }
  try {
    ({ values } = parseArgs({
      args,
      options: command.options,
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  for (const name of command.required ?? []) {
    const value = values[name];
    if (value === undefined || value === '') {
      throw new CliUsageError(`--${name} is required.`);
    }
  }
  return verb === undefined ? values : { ...values, verb };
}

/** A string option that parseArgs already checked is present (listed in `required`). */
export function stringOption(
  values: Record<string, string | boolean | undefined>,
  name: string,
): string {
  const value = values[name];
  if (typeof value !== 'string') throw new CliUsageError(`--${name} is required.`);
  return value;
}

/** A non-negative number of seconds. */
export function secondsOption(value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    throw new CliUsageError('--timeout must be a number of seconds from 0 to 86400.');
  }
  return seconds;
}

/** An account id as the relay issues it (a lowercase UUID). */
export function accountIdOption(value: string, name: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) {
    throw new MessengerError(
      'invalid_input',
      `--${name} must be an account id (a lowercase UUID, as \`pmsg client directory\` shows).`,
    );
  }
  return value;
}
