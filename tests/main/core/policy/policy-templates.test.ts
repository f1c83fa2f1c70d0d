import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  admlFileName,
  admlTemplate,
  admxFileName,
  admxTemplate,
  mobileconfigFileName,
  mobileconfigTemplate,
} from '../../../../main/core/policy/policy-templates.js';
import { policyKeys, type PolicyKey } from '../../../../main/core/policy/policy-schema.js';

const root = path.resolve(import.meta.dirname, '../../../..');
const templates = path.join(root, 'build/policy-templates');
const files = {
  admx: path.join(templates, admxFileName),
  adml: path.join(templates, 'en-US', admlFileName),
  mobileconfig: path.join(templates, mobileconfigFileName),
};
const read = (file: string) => readFileSync(file, 'utf8');
const keys = Object.keys(policyKeys) as PolicyKey[];
const xmllint = spawnSync('xmllint', ['--version']).status === 0;

/** The ADMX element that must hold a key, from the schema's JSON Schema (independent of the generator). */
function expectedElement(key: PolicyKey): string {
  const json = z.toJSONSchema(policyKeys[key].schema, { io: 'input', unrepresentable: 'any' }) as {
    type?: string | string[];
    enum?: unknown[];
    anyOf?: Array<{ type?: string; enum?: unknown[] }>;
  };
  const main = json.anyOf?.find((s) => s.type !== 'null') ?? json;
  const type = Array.isArray(main.type) ? main.type.find((t) => t !== 'null') : main.type;
  if (main.enum) return 'enum';
  return { string: 'text', integer: 'decimal', boolean: 'enabledValue', array: 'multiText' }[
    type as 'string'
  ];
}

function policyBlock(admx: string, key: string): string | undefined {
  return new RegExp(`<policy name="${key}"[\\s\\S]*?</policy>`).exec(admx)?.[0];
}

describe('the Group Policy templates and the macOS profile', () => {
  it('in build/policy-templates are the ones the schema generates (npm run policy:templates)', () => {
    const example = JSON.parse(read(path.join(root, 'build/policy.example.json')));
    expect(read(files.admx)).toBe(admxTemplate());
    expect(read(files.adml)).toBe(admlTemplate());
    expect(read(files.mobileconfig)).toBe(mobileconfigTemplate(example));
  });

  it.skipIf(!xmllint)('are well-formed XML (xmllint --noout)', () => {
    for (const file of Object.values(files)) {
      // Throws with xmllint's message on the first error.
      execFileSync('xmllint', ['--noout', '--nonet', file], { stdio: 'pipe' });
    }
  });

  it.skipIf(!xmllint)('xmllint does catch a broken template, so the check above can fail', () => {
    const broken = spawnSync('xmllint', ['--noout', '--nonet', '-'], {
      input: admxTemplate().replace('</policies>', ''),
    });
    expect(broken.status).not.toBe(0);
  });

  it('offer every key of the schema, each as the registry type the reader expects', () => {
    const admx = read(files.admx);
    const adml = read(files.adml);
    const policyNames = [...admx.matchAll(/<policy name="([^"]+)"/g)].map((m) => m[1]);
    expect(policyNames.sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const block = policyBlock(admx, key) ?? '';
      expect(block, key).toContain('key="SOFTWARE\\Policies\\PracticeMessenger"');
      expect(block, key).toContain('class="Machine"');
      const element = expectedElement(key);
      if (element === 'enabledValue') {
        expect(block, key).toMatch(new RegExp(`valueName="${key}"`));
        expect(block, key).toContain('<enabledValue><decimal value="1" /></enabledValue>');
        expect(block, key).toContain('<disabledValue><decimal value="0" /></disabledValue>');
      } else {
        expect(block, key).toMatch(new RegExp(`<${element} id="${key}" valueName="${key}"`));
        expect(adml, key).toMatch(new RegExp(`<presentation id="${key}">`));
      }
      expect(adml, key).toContain(`<string id="${key}">`);
      expect(adml, key).toContain(`<string id="${key}_Explain">`);
    }
  });

  it('give integer keys the schema range and enum keys exactly the allowed values', () => {
    const admx = read(files.admx);
    expect(policyBlock(admx, 'lockTimeoutMinutes')).toContain('minValue="1" maxValue="60"');
    // Nullable with a range above 0: 0 is the registry spelling of null.
    expect(policyBlock(admx, 'retentionDays')).toContain('minValue="0" maxValue="3650"');
    const pid = policyBlock(admx, 'pidGuard') ?? '';
    expect([...pid.matchAll(/<string>([^<]+)<\/string>/g)].map((m) => m[1])).toEqual([
      'warn',
      'block',
    ]);
  });

  it('the sample profile sets every key, for the app bundle id', () => {
    const profile = read(files.mobileconfig);
    expect(profile).toContain('<string>uk.practicemessenger.desktop</string>');
    for (const key of keys) expect(profile, key).toContain(`<key>${key}</key>`);
    const builder = read(path.join(root, 'electron-builder.yml'));
    expect(builder).toMatch(/^appId: uk\.practicemessenger\.desktop$/m);
  });
});
