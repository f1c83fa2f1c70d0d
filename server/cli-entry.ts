// Runs `pmsg relay ...` straight from source (`tsx server/cli-entry.ts serve ...`), which tests
// use so that they do not depend on `npm run build`. bin/pmsg.js runs the built cli.js instead.
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
