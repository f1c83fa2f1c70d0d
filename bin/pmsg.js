#!/usr/bin/env node
/* global setInterval, clearInterval */
// `pmsg`: the headless client (`pmsg client ...`) and the relay admin (`pmsg relay ...`).
// Runs the compiled code in dist/ (`npm run build`).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [area] = process.argv.slice(2);
const entries = { client: 'dist/main/cli/main.js', relay: 'dist/server/cli.js' };
const entry = entries[area];

if (!entry) {
  console.error(
    'Usage: pmsg client <command> ... | pmsg relay <command> ...\nRun `pmsg client --help` or `pmsg relay --help` for the commands.',
  );
  process.exit(2);
}
const file = path.join(root, entry);
if (!existsSync(file)) {
  console.error(`${entry} is missing: run \`npm run build\` first.`);
  process.exit(2);
}
// `npx pmsg` and `npm run` start this through `sh -c`, which does not pass SIGINT or SIGTERM on:
// stopping npm ends the shell and leaves this process (a relay, say) running without a parent.
// Under npm only, losing the parent counts as SIGTERM, so the command stops as it would on a
// signal. Outside npm (a service manager, nohup) the parent may go away on purpose.
if (process.env.npm_command !== undefined) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, 250).unref();
}
const { main } = await import(pathToFileURL(file).href);
process.exitCode = await main(process.argv.slice(3));
