import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppUrl } from '../../../main/core/ipc/trusted-sender.js';
import {
  appSchemePrivileges,
  handleAppRequest,
  resolveAppRequest,
} from '../../../main/electron/app-protocol.js';
import { contentSecurityPolicy } from '../../../main/electron/content-security-policy.js';
import { shellPaths } from '../../../main/electron/shell-paths.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';

let temp: ReturnType<typeof makeTempDir>;
let renderer: string;
beforeEach(() => {
  temp = makeTempDir();
  renderer = path.join(temp.dir, 'out', 'renderer');
  mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>PM</title>');
  writeFileSync(path.join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(path.join(temp.dir, 'out', 'secret.txt'), 'outside the bundle');
  mkdirSync(path.join(temp.dir, 'out', 'renderer-evil'));
  writeFileSync(path.join(temp.dir, 'out', 'renderer-evil', 'index.html'), 'evil');
});
afterEach(() => temp.cleanup());

describe('the app:// scheme', () => {
  it('is registered as a standard, secure scheme and nothing more', () => {
    expect(appSchemePrivileges.scheme).toBe('app');
    expect(appSchemePrivileges.privileges).toMatchObject({
      standard: true,
      secure: true,
      bypassCSP: false,
      corsEnabled: false,
      supportFetchAPI: false,
      allowServiceWorkers: false,
    });
  });

  it('is what the window loads, and what IPC trusts: not file://', () => {
    const paths = shellPaths('/opt/pm/resources/app.asar/out/main');
    expect(paths.appUrl).toBe('app://bundle/index.html');
    expect(isAppUrl('app://bundle/index.html#/unlock', paths.appUrl)).toBe(true);
    expect(
      isAppUrl('file:///opt/pm/resources/app.asar/out/renderer/index.html', paths.appUrl),
    ).toBe(false);
    expect(isAppUrl('app://other/index.html', paths.appUrl)).toBe(false);
    expect(isAppUrl('app://bundle/index.html?x=1', paths.appUrl)).toBe(false);
  });

  it('maps its URLs to files inside the renderer folder', () => {
    expect(resolveAppRequest('app://bundle/index.html', renderer)).toBe(
      path.join(renderer, 'index.html'),
    );
    expect(resolveAppRequest('app://bundle/', renderer)).toBe(path.join(renderer, 'index.html'));
    expect(resolveAppRequest('app://bundle/assets/index-abc.js?v=1#x', renderer)).toBe(
      path.join(renderer, 'assets', 'index-abc.js'),
    );
  });

  it.each([
    'app://bundle/../secret.txt',
    'app://bundle/%2e%2e/secret.txt',
    'app://bundle/.%2E/secret.txt',
    'app://bundle/assets/..%2f..%2fsecret.txt',
    'app://bundle/..%5csecret.txt',
    'app://bundle/assets%5c..%5c..%5csecret.txt',
    'app://bundle/index.html%00.js',
    'app://bundle/%E0%A4%A',
    'app://bundle/../renderer-evil/index.html',
    'app://other/index.html',
    'app://user:pw@bundle/index.html',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s', (url) => {
    const file = resolveAppRequest(url, renderer);
    // Dot segments, plain or %2e-encoded, are removed by the URL parser before we see the path:
    // those resolve inside the folder (and find nothing); everything else is refused outright.
    const normalised = /^app:\/\/bundle\/(\.\.|%2e%2e|\.%2e)\//i.test(url);
    if (normalised) expect(file?.startsWith(renderer + path.sep)).toBe(true);
    else expect(file).toBeNull();
  });

  it('serves a file with its type, our CSP and nosniff', async () => {
    const response = await handleAppRequest(
      { url: 'app://bundle/assets/index-abc.js', method: 'GET' },
      renderer,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe('console.log(1)');
  });

  it('answers 403 for traversal, 404 for a missing file, 405 for other methods', async () => {
    const status = async (url: string, method = 'GET') =>
      (await handleAppRequest({ url, method }, renderer)).status;
    expect(await status('app://bundle/..%2fsecret.txt')).toBe(403);
    expect(await status('app://bundle/..%5csecret.txt')).toBe(403);
    expect(await status('app://bundle/nope.js')).toBe(404);
    // Dot segments are normalised away by the URL parser: they stay inside and find nothing.
    expect(await status('app://bundle/../secret.txt')).toBe(404);
    expect(await status('app://bundle/%2e%2e/secret.txt')).toBe(404);
    expect(await status('app://bundle/index.html', 'POST')).toBe(405);
  });
});
