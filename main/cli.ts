// `pmsg client ...`: the headless client. A thin entry: the commands live in main/core/cli/.
import { runClientCli } from './core/cli/run-client-cli.js';

export async function main(argv: string[]): Promise<number> {
  return runClientCli(argv, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  });
}
