import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyKeys } from '../../main/core/policy/policy-schema.js';
import { registryPolicyKeyPath } from '../../main/core/policy/windows-registry-policy.js';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const builderYml = read('electron-builder.yml');
const msiHook = require(path.join(root, 'build/msi-policy.cjs')) as {
  addPolicyProperties(wxs: string): string;
  policyProperties: Record<string, { valueName: string }>;
  policyKey: string;
};
const xmllint = spawnSync('xmllint', ['--version']).status === 0;

/** electron-builder's own MSI template with its placeholders filled in the simplest way. */
function renderedMsiTemplate(): string {
  const template = read('node_modules/app-builder-lib/templates/msi/template.xml');
  return template
    .replace(/\{\{[^}]*\}\}/g, '')
    .replace(/\$\{[^}]+\}/g, 'x')
    .replace('{-dirs}', '')
    .replace('{-files}', '');
}

describe('the managed Windows installers', () => {
  it('install per machine and keep profiles on uninstall; no update feed', () => {
    expect(builderYml).toMatch(/^nsis:\n(?: {2}.*\n)*? {2}perMachine: true$/m);
    expect(builderYml).toMatch(/^ {2}deleteAppDataOnUninstall: false$/m);
    expect(builderYml).toMatch(/^msi:\n {2}perMachine: true$/m);
    expect(builderYml).toMatch(/^ {2}include: build\/installer\.nsh$/m);
    expect(builderYml).toMatch(/^msiProjectCreated: build\/msi-policy\.cjs$/m);
    expect(builderYml).toMatch(/^publish: null$/m);
  });

  it('MSI: RELAY_URL and CERT_PIN become policy values in the key the app reads', () => {
    const wxs = msiHook.addPolicyProperties(renderedMsiTemplate());
    expect(msiHook.policyKey).toBe(registryPolicyKeyPath);
    for (const [property, { valueName }] of Object.entries(msiHook.policyProperties)) {
      expect(Object.keys(policyKeys)).toContain(valueName);
      expect(wxs).toContain(`<Property Id="${property}" Secure="yes"/>`);
      expect(wxs).toContain(
        `<RegistryValue Root="HKLM" Key="${registryPolicyKeyPath}" Name="${valueName}" Type="string" Value="[${property}]" KeyPath="yes"/>`,
      );
      expect(wxs).toContain(`<Condition>${property}</Condition>`);
    }
    // Inside the product's component group, which the feature installs.
    expect(wxs).toMatch(
      /<ComponentGroup Id="ProductComponents"[^>]*>\s*<Component Id="Policy_serverUrl"/,
    );
    if (xmllint) {
      const check = spawnSync('xmllint', ['--noout', '-'], { input: wxs });
      expect(check.stderr.toString()).toBe('');
      expect(check.status).toBe(0);
    }
    expect(() => msiHook.addPolicyProperties('<Wix/>')).toThrow(/expected shape/);
  });

  it('NSIS: /RELAYURL= and /CERTPIN= write the same policy values; /DELETEPROFILES is opt-in', () => {
    const nsh = read('build/installer.nsh');
    expect(nsh).toContain(`!define PMSG_POLICY_KEY "${registryPolicyKeyPath}"`);
    const written = [...nsh.matchAll(/WriteRegStr HKLM "\$\{PMSG_POLICY_KEY\}" "([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(written).toEqual(['serverUrl', 'serverCertificateSha256']);
    expect(nsh).toMatch(/\$\{GetOptions\} \$R0 "\/RELAYURL=" \$R1/);
    expect(nsh).toMatch(/\$\{GetOptions\} \$R0 "\/CERTPIN=" \$R1/);
    // Profiles go only when asked.
    const uninstall = nsh.slice(nsh.indexOf('!macro customUnInstall'));
    expect(uninstall.indexOf('/DELETEPROFILES')).toBeLessThan(uninstall.indexOf('RMDir'));
  });
});
