// Runs main/cli/main.ts under tsx exactly as bin/pmsg.js runs the compiled one (`pmsg client ...`).
import { main } from '../../../main/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
