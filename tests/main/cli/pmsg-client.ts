// Runs main/cli.ts under tsx exactly as bin/pmsg.js runs the compiled one (`pmsg client ...`).
import { main } from '../../../main/cli.js';

process.exitCode = await main(process.argv.slice(2));
