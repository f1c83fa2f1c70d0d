// End-to-end tests: the built renderer in Debian's Chromium, driven through the browser harness
// (tests/harness) against the real app core, keychain, SQLCipher and relay. Run by `npm test`
// (which builds first and provides the keyring); by hand:
//   npm run build && node build/scripts/with-keyring.mjs npx playwright test
import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from './tests/harness/chromium.js';

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/e2e',
  reporter: [['list'], ['json']],
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: {
    timeout: 20_000,
    // Layout baselines (tests/e2e/screens.spec.ts): small rendering noise passes, a moved panel
    // does not.
    toHaveScreenshot: { maxDiffPixelRatio: 0.005, animations: 'disabled', caret: 'hide' },
  },
  snapshotPathTemplate: '{testDir}/screenshots/{arg}{ext}',
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumExecutable,
      args: chromiumArgs,
    },
  },
});
