// Benchmarks leave nothing behind: temporary folders and child processes are removed or stopped
// when the benchmark ends, fails, or is interrupted (SIGINT, SIGTERM).
const cleanups: (() => void | Promise<void>)[] = [];
let installed = false;

async function runCleanups(): Promise<void> {
  // Last registered first: a process using a folder stops before the folder goes.
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error('bench cleanup failed:', error instanceof Error ? error.message : error);
    }
  }
}

/**
 * Runs `cleanup` once, at the latest when the process is interrupted; call the returned function
 * to run it earlier (then it does not run again).
 */
export function cleanupOnExit(cleanup: () => void | Promise<void>): () => Promise<void> {
  if (!installed) {
    installed = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`bench interrupted (${signal}): cleaning up`);
        void runCleanups().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
      });
    }
  }
  cleanups.push(cleanup);
  return async () => {
    const index = cleanups.indexOf(cleanup);
    if (index < 0) return;
    cleanups.splice(index, 1);
    await cleanup();
  };
}
