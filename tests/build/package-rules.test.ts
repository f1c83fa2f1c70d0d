import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { packageProblems } from '../../build/scripts/package-rules.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const policyExample = readFileSync(path.join(root, 'build/policy.example.json'), 'utf8');

const lock = {
  packages: {
    '': { name: 'practice-messenger' },
    'node_modules/zod': { version: '4' },
    'node_modules/bindings': { version: '1' },
    'node_modules/better-sqlite3-multiple-ciphers': { version: '12' },
    'node_modules/@signalapp/libsignal-client': { version: '0.103' },
    'node_modules/vitest': { version: '4', dev: true },
    'node_modules/fsevents': { version: '2', dev: true, optional: true },
  },
};

/** A package laid out as it should be; each test breaks one thing. */
function goodPackage() {
  return {
    asarFiles: [
      'package.json',
      'out/main/index.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'node_modules/zod/package.json',
      'node_modules/zod/index.js',
      'node_modules/bindings/package.json',
      'node_modules/bindings/bindings.js',
    ],
    unpackedFiles: [
      'node_modules/better-sqlite3-multiple-ciphers/package.json',
      'node_modules/better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node',
      'node_modules/@signalapp/libsignal-client/package.json',
      'node_modules/@signalapp/libsignal-client/prebuilds/linux-x64/@signalapp+libsignal-client.node',
      'node_modules/@signalapp/libsignal-client/prebuilds/win32-x64/@signalapp+libsignal-client.node',
    ],
    resourceFiles: [
      'policy.example.json',
      'policy-templates/PracticeMessenger.admx',
      'policy-templates/en-US/PracticeMessenger.adml',
      'policy-templates/PracticeMessenger.mobileconfig',
    ],
    lock,
    nativeModules: [
      'node_modules/better-sqlite3-multiple-ciphers',
      'node_modules/@signalapp/libsignal-client',
    ],
    platform: 'linux',
    arch: 'x64',
    shippedPolicyExample: policyExample,
    policyExample,
  };
}

type Package = ReturnType<typeof goodPackage>;
const problems = (p: Package): string[] => packageProblems(p) as string[];

describe('what the installer may ship (npm run package:check rules)', () => {
  it('passes a package with only out/, production dependencies and the resources', () => {
    expect(problems(goodPackage())).toEqual([]);
  });

  it.each<[string, (p: Package) => void, RegExp]>([
    ['a test file', (p) => p.asarFiles.push('tests/server/relay.test.ts'), /outside out\//],
    ['the harness in the bundle', (p) => p.asarFiles.push('out/main/harness-bridge.js'), /harness/],
    ['bench', (p) => p.asarFiles.push('bench/relay.ts'), /from tests, the harness, bench or docs/],
    ['docs', (p) => p.asarFiles.push('docs/deployment.md'), /outside out\//],
    ['a source map', (p) => p.asarFiles.push('out/main/index.js.map'), /source map/],
    ['no main bundle', (p) => p.asarFiles.splice(1, 1), /no out\/main\/index\.js/],
    [
      'a dev dependency',
      (p) => p.asarFiles.push('node_modules/vitest/package.json'),
      /dev dependency vitest is shipped/,
    ],
    [
      'a package not in the lock file',
      (p) => p.asarFiles.push('node_modules/left-pad/package.json'),
      /left-pad is shipped but is no production dependency/,
    ],
    [
      'a missing runtime dependency',
      (p) => p.asarFiles.splice(p.asarFiles.indexOf('node_modules/bindings/package.json'), 1),
      /production dependency bindings is missing/,
    ],
    [
      'a native module packed into the asar',
      (p) => p.asarFiles.push('node_modules/better-sqlite3-multiple-ciphers/build/Release/x.node'),
      /native code inside app\.asar/,
    ],
    [
      'no native binary for this platform',
      (p) => {
        p.unpackedFiles = p.unpackedFiles.filter((f) => !f.includes('linux-x64'));
      },
      /libsignal-client: no native binary for linux-x64/,
    ],
    [
      'no policy example',
      (p) => {
        p.shippedPolicyExample = undefined as unknown as string;
      },
      /policy\.example\.json is missing/,
    ],
    [
      'a stale policy example',
      (p) => {
        p.shippedPolicyExample = '{}';
      },
      /differs from build\/policy\.example\.json/,
    ],
    [
      'no ADMX template',
      (p) => p.resourceFiles.splice(1, 1),
      /policy-templates\/PracticeMessenger\.admx is missing/,
    ],
    ['an update feed', (p) => p.resourceFiles.push('app-update.yml'), /must not update itself/],
  ])('refuses a package with %s', (_case, breakIt, expected) => {
    const p = goodPackage();
    breakIt(p);
    expect(problems(p).join('\n')).toMatch(expected);
  });
});
