/**
 * Debian's Chromium, as the tests and benchmarks launch it. Never a downloaded browser: these
 * machines reach no browser download. The flags keep it from calling out to Google's services,
 * which the closed network refuses many times a second otherwise.
 */
export const chromiumExecutable = '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
