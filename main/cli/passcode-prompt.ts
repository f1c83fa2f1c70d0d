import { MessengerError } from '../../shared/errors.js';

/**
 * The profile passcode: PMSG_PASSCODE when set (scripts, tests), else asked on the terminal
 * without echo. Never taken from a command-line argument, where `ps` would show it.
 */
export async function readPasscode(
  env: Readonly<Record<string, string | undefined>>,
  prompt = 'Passcode: ',
): Promise<string> {
  const fromEnv = env.PMSG_PASSCODE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const input = process.stdin;
  if (!input.isTTY) {
    throw new MessengerError(
      'invalid_input',
      'No passcode: set PMSG_PASSCODE, or run in a terminal to be asked for it.',
    );
  }
  return new Promise((resolve, reject) => {
    let value = '';
    process.stderr.write(prompt);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new MessengerError('invalid_input', 'Cancelled.'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.on('data', onData);
  });
}
