// Bundles the three Electron pieces into out/: main (ESM, native modules left to node_modules),
// the preload (ONE CommonJS file with its imports inlined: a sandboxed preload can require only
// 'electron' and a few built-ins), and the renderer (React, loaded from disk with relative paths).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

const root = import.meta.dirname;
const nativeModules = [
  'better-sqlite3-multiple-ciphers',
  '@github/keytar',
  '@signalapp/libsignal-client',
];

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      lib: { entry: resolve(root, 'main/electron/index.ts'), formats: ['es'] },
      rolldownOptions: {
        external: nativeModules,
        output: { entryFileNames: 'index.js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Inline every dependency; only 'electron' stays a require().
      externalizeDeps: false,
      lib: { entry: resolve(root, 'preload/index.ts'), formats: ['cjs'] },
      rolldownOptions: {
        output: { entryFileNames: 'index.cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
