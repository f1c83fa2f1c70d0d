import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    // Native modules (SQLCipher, keytar, libsignal) and real sockets: separate processes are
    // the safe isolation, and the machines have two cores.
    pool: 'forks',
    maxWorkers: 2,
    // Generous: the CLI suites spawn a process per command, and the hostile-client suites load
    // both cores while they run. A hung test still fails, just later.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
