import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const require = createRequire(path.join(root, 'package.json'));

interface FusesModule {
  fuseConfig: (
    options: unknown,
    version: unknown,
    extra: { resetAdHocDarwinSignature: boolean },
  ) => Record<string, unknown>;
  executablePath: (context: unknown) => string;
}
const fuses = require(path.join(root, 'build/fuses.cjs')) as FusesModule;
const { FuseV1Options, FuseVersion } = require('@electron/fuses') as {
  FuseV1Options: Record<string, number>;
  FuseVersion: Record<string, string>;
};

describe('the Electron fuses flipped at packaging', () => {
  const config = fuses.fuseConfig(FuseV1Options, FuseVersion, { resetAdHocDarwinSignature: false });
  const fuse = (name: string) => config[String(FuseV1Options[name])];

  it('turn off run-as-node, NODE_OPTIONS and --inspect', () => {
    expect(fuse('RunAsNode')).toBe(false);
    expect(fuse('EnableNodeOptionsEnvironmentVariable')).toBe(false);
    expect(fuse('EnableNodeCliInspectArguments')).toBe(false);
  });

  it('turn on asar integrity and only-load-from-asar', () => {
    expect(fuse('EnableEmbeddedAsarIntegrityValidation')).toBe(true);
    expect(fuse('OnlyLoadAppFromAsar')).toBe(true);
    expect(config['version']).toBe(FuseVersion['V1']);
  });

  it('find the executable electron-builder produced on each OS', () => {
    const packager = {
      appInfo: { productFilename: 'Practice Messenger' },
      executableName: 'practice-messenger',
    };
    const at = (electronPlatformName: string) =>
      fuses.executablePath({ appOutDir: '/out', electronPlatformName, packager });
    expect(at('win32')).toBe(path.join('/out', 'Practice Messenger.exe'));
    expect(at('darwin')).toBe(path.join('/out', 'Practice Messenger.app'));
    expect(at('linux')).toBe(path.join('/out', 'practice-messenger'));
  });
});

describe('electron-builder.yml', () => {
  const yaml = require('js-yaml') as { load: (text: string) => Record<string, unknown> };
  const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));

  it('is valid for electron-builder', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as {
      DebugLogger: new (on: boolean) => unknown;
    };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(
      validateConfiguration({ ...config, nsis: { notAnOption: true } }, new DebugLogger(false)),
    ).rejects.toThrow();
  });

  it('ships installers per OS, only the bundles, native modules unpacked, fuses hooked', () => {
    expect(config['productName']).toBe('Practice Messenger');
    expect((config['win'] as { target: string[] }).target).toEqual(['nsis', 'msi']);
    expect((config['mac'] as { target: string[] }).target).toEqual(['dmg']);
    expect((config['linux'] as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect(config['files']).toContain('out/**');
    expect((config['files'] as string[]).filter((f) => !f.startsWith('!'))).toEqual([
      'out/**',
      'package.json',
    ]);
    expect(config['asarUnpack']).toEqual([
      'node_modules/better-sqlite3-multiple-ciphers/**',
      'node_modules/@github/keytar/**',
      'node_modules/@signalapp/libsignal-client/**',
    ]);
    expect(config['afterPack']).toBe('build/fuses.cjs');
  });

  it('uses the app id the shell registers for Windows notifications', () => {
    const shell = readFileSync(path.join(root, 'main/electron/index.ts'), 'utf8');
    expect(shell).toContain(`app.setAppUserModelId('${String(config['appId'])}')`);
  });
});

describe('the bundles', () => {
  const preload = path.join(root, 'out/preload/index.cjs');
  if (!existsSync(preload)) {
    spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'ignore' });
  }

  it('package.json points Electron at the bundled main', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      main: string;
    };
    expect(pkg.main).toBe('out/main/index.js');
  });

  // A sandboxed preload can require only 'electron' (and a few built-ins): anything else must
  // be inlined, or window.messenger silently never appears.
  it('the preload is one CommonJS file that requires only electron', () => {
    const code = readFileSync(preload, 'utf8');
    const requires = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(requires).toEqual(['electron']);
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).toContain('exposeInMainWorld("messenger"');
  });
});
