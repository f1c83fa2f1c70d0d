// `pmsg client ...`: the headless client. A thin entry: the commands live beside it in main/cli/.
import { runClientCli } from './run-client-cli.js';

export async function main(argv: string[]): Promise<number> {
  return runClientCli(argv, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  });
}
