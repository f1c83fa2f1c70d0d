// Benchmarks leave nothing behind: temporary folders and child processes are removed or stopped
// when the benchmark ends, fails, or is interrupted (SIGINT, SIGTERM).
const cleanups: (() => void | Promise<void>)[] = [];
let installed = false;
const cleanupTimeoutMs = 5_000;

async function runCleanups(): Promise<void> {
  // Last registered first: a process using a folder stops before the folder goes.
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      // Bounded: on Ctrl-C the whole process group is interrupted, the test keyring too, so a
      // keychain call may never answer; what comes after it (the folder) must still go.
      await Promise.race([
        cleanup(),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('timed out')), cleanupTimeoutMs).unref(),
        ),
      ]);
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
    let interrupted = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal's process group
      // and relayed by tsx), and the second must not end it half-way through cleaning up.
      process.on(signal, () => {
        if (interrupted) return;
        interrupted = true;
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
