import { runClientCli } from '../../../main/cli/run-client-cli.js';

/**
 * `pmsg client <args>` run in this process as the CLI runs it (a spawned tsx takes many seconds
 * per command under load), with the passcode in PMSG_PASSCODE: the exit code, stdout's lines and
 * stderr as one string.
 */
export async function runPmsg(args: string[], passcode: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runClientCli(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { PMSG_PASSCODE: passcode },
  });
  return { code, out, err: err.join('\n') };
}
