import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMessengerError } from '../../shared/errors.js';
import { CliUsageError, parseCommandArgs, type CliCommand, type CliIo } from './cli-command.js';

const commandsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

/** Every command file in ./commands (compiled .js or source .ts under tsx), by name. */
export async function loadCommands(): Promise<Map<string, CliCommand>> {
  const files = readdirSync(commandsDir)
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const commands = new Map<string, CliCommand>();
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(commandsDir, file)).href)) as {
      command?: CliCommand;
    };
    if (module.command) commands.set(module.command.name, module.command);
  }
  return commands;
}

function help(commands: Map<string, CliCommand>): string {
  const lines = [
    'Usage: pmsg client <command> [options]',
    '',
    'The passcode is read from PMSG_PASSCODE when set, else asked without echo.',
    '--profile <dir> is a folder holding one encrypted profile (created by `enrol`).',
    'Output is JSON on stdout; errors go to stderr with a non-zero exit code.',
    '',
    'Commands:',
  ];
  for (const command of commands.values()) {
    lines.push(`  ${command.name} ${command.usage}`, `      ${command.summary}`);
  }
  return lines.join('\n');
}

/**
 * `group create ...` and the like: a command named by two words. `group` alone (or followed by
 * an option) stays one word, so it is reported as unknown with the list of commands.
 */
function withSubcommand(argv: readonly string[], commands: Map<string, CliCommand>): string[] {
  const [first, second, ...rest] = argv;
  if (first !== undefined && second !== undefined && commands.has(`${first} ${second}`)) {
    return [`${first} ${second}`, ...rest];
  }
  return [...argv];
}

/** `pmsg client ...`: 0 on success, 1 on a failure, 2 on a bad command line. */
export async function runClientCli(argv: readonly string[], io: CliIo): Promise<number> {
  const commands = await loadCommands();
  const [name, ...rest] = withSubcommand(argv, commands);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(help(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.get(name);
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${help(commands)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: pmsg client ${command.name} ${command.usage}\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(parseCommandArgs(command, rest), io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.err(`${error.message}\nUsage: pmsg client ${command.name} ${command.usage}`);
      return 2;
    }
    if (isMessengerError(error)) {
      io.err(`error (${error.code}): ${error.message}`);
      return 1;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
