/**
 * The policy templates IT imports into its own tools, generated from policy-schema.ts so that they
 * always offer every key with its type and range: ADMX + ADML for Group Policy and Intune (values
 * under HKLM\SOFTWARE\Policies\PracticeMessenger, read by windows-registry-policy.ts) and a sample
 * macOS configuration profile (read back by macos-managed-preferences.ts). Written to
 * build/policy-templates by `npm run policy:templates`; a test fails when the files there drift.
 */
import { macBundleId } from './macos-managed-preferences.js';
import { managedNullSpelling, policyKindsByKey, type PolicyKind } from './policy-kinds.js';
import { policyKeys, type PolicyKey } from './policy-schema.js';
import { registryPolicyKeyPath } from './windows-registry-policy.js';

export const admxFileName = 'PracticeMessenger.admx';
export const admlFileName = 'PracticeMessenger.adml';
export const mobileconfigFileName = 'PracticeMessenger.mobileconfig';

const namespace = 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions';
const keys = Object.keys(policyKeys) as PolicyKey[];

export function xmlEscape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** The registry type a key is written as (the reader insists on the same). */
export function registryTypeOf(kind: PolicyKind): 'REG_SZ' | 'REG_DWORD' | 'REG_MULTI_SZ' {
  if (kind.type === 'integer' || kind.type === 'boolean') return 'REG_DWORD';
  return kind.type === 'list' ? 'REG_MULTI_SZ' : 'REG_SZ';
}

function admxElements(key: PolicyKey, kind: PolicyKind): string {
  switch (kind.type) {
    case 'boolean':
      return '';
    case 'integer': {
      const min = managedNullSpelling(kind) === 0 ? 0 : kind.min;
      return `<decimal id="${key}" valueName="${key}" required="true" minValue="${min}" maxValue="${kind.max}" />`;
    }
    case 'string':
      return `<text id="${key}" valueName="${key}"${kind.maxLength ? ` maxLength="${kind.maxLength}"` : ''} />`;
    case 'list':
      return `<multiText id="${key}" valueName="${key}" maxStrings="${kind.maxItems}"${kind.maxLength ? ` maxLength="${kind.maxLength}"` : ''} />`;
    case 'enum': {
      const items = kind.values
        .map(
          (value) =>
            `\n          <item displayName="$(string.${key}_${value})"><value><string>${xmlEscape(value)}</string></value></item>`,
        )
        .join('');
      return `<enum id="${key}" valueName="${key}" required="true">${items}\n        </enum>`;
    }
  }
}

function admxPolicy(key: PolicyKey): string {
  const kind = policyKindsByKey[key];
  const common = `name="${key}" class="Machine" displayName="$(string.${key})" explainText="$(string.${key}_Explain)" key="${registryPolicyKeyPath}"`;
  const head = `    <policy ${common}`;
  const tail = `      <parentCategory ref="PracticeMessenger" />\n      <supportedOn ref="SUPPORTED_PracticeMessenger_0_1" />\n`;
  if (kind.type === 'boolean') {
    // Enabled writes 1, Disabled writes 0, Not configured removes the value.
    return `${head} valueName="${key}">\n${tail}      <enabledValue><decimal value="1" /></enabledValue>\n      <disabledValue><decimal value="0" /></disabledValue>\n    </policy>`;
  }
  return `${head} presentation="$(presentation.${key})">\n${tail}      <elements>\n        ${admxElements(key, kind)}\n      </elements>\n    </policy>`;
}

export function admxTemplate(): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated from main/core/policy/policy-schema.ts by npm run policy:templates. Do not edit. -->
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="${namespace}">
  <policyNamespaces>
    <target prefix="practicemessenger" namespace="PracticeMessenger.Policies" />
    <using prefix="windows" namespace="Microsoft.Policies.Windows" />
  </policyNamespaces>
  <resources minRequiredRevision="1.0" />
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_PracticeMessenger_0_1" displayName="$(string.SUPPORTED_PracticeMessenger_0_1)" />
    </definitions>
  </supportedOn>
  <categories>
    <category name="PracticeMessenger" displayName="$(string.PracticeMessenger)" />
  </categories>
  <policies>
${keys.map(admxPolicy).join('\n')}
  </policies>
</policyDefinitions>
`;
}

function explain(key: PolicyKey, kind: PolicyKind): string {
  const spelling = managedNullSpelling(kind);
  const lines = [
    `${policyKeys[key].title}.`,
    `Allowed: ${policyKeys[key].allowed}.`,
    spelling === 0 ? 'Write 0 for null.' : spelling === '' ? 'Leave empty for null.' : '',
    kind.type === 'list' ? 'One entry per line.' : '',
    `Registry: HKLM\\${registryPolicyKeyPath}, value ${key} (${registryTypeOf(kind)}).`,
    'A value set here wins over the same key in policy.json. Every key is described in docs/deployment.md.',
  ];
  return lines.filter((line) => line !== '').join('\n\n');
}

function presentation(key: PolicyKey, kind: PolicyKind): string {
  const label = xmlEscape(policyKeys[key].title);
  switch (kind.type) {
    case 'boolean':
      return '';
    case 'integer':
      return `<decimalTextBox refId="${key}" spinStep="1">${label}</decimalTextBox>`;
    case 'string':
      return `<textBox refId="${key}"><label>${label}</label></textBox>`;
    case 'list':
      return `<multiTextBox refId="${key}">${label}</multiTextBox>`;
    case 'enum':
      return `<dropdownList refId="${key}" noSort="true">${label}</dropdownList>`;
  }
}

export function admlTemplate(): string {
  const strings: Array<[string, string]> = [
    ['PracticeMessenger', 'Practice Messenger'],
    ['SUPPORTED_PracticeMessenger_0_1', 'Practice Messenger 0.1 and later'],
  ];
  const presentations: string[] = [];
  for (const key of keys) {
    const kind = policyKindsByKey[key];
    strings.push([key, policyKeys[key].title], [`${key}_Explain`, explain(key, kind)]);
    if (kind.type === 'enum') {
      for (const value of kind.values) strings.push([`${key}_${value}`, value]);
    }
    const shown = presentation(key, kind);
    if (shown !== '') {
      presentations.push(
        `      <presentation id="${key}">\n        ${shown}\n      </presentation>`,
      );
    }
  }
  const table = strings
    .map(([id, text]) => `      <string id="${id}">${xmlEscape(text)}</string>`)
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated from main/core/policy/policy-schema.ts by npm run policy:templates. Do not edit. -->
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="${namespace}">
  <displayName>Practice Messenger</displayName>
  <description>Managed policy for Practice Messenger</description>
  <resources>
    <stringTable>
${table}
    </stringTable>
    <presentationTable>
${presentations.join('\n')}
    </presentationTable>
  </resources>
</policyDefinitionResources>
`;
}

function plistValue(kind: PolicyKind, value: unknown): string {
  const stored = value === null ? managedNullSpelling(kind) : value;
  if (stored === undefined) throw new Error('no spelling for null in a plist');
  if (typeof stored === 'boolean') return stored ? '<true/>' : '<false/>';
  if (typeof stored === 'number') return `<integer>${stored}</integer>`;
  if (Array.isArray(stored)) {
    return `<array>${stored.map((s) => `<string>${xmlEscape(String(s))}</string>`).join('')}</array>`;
  }
  return `<string>${xmlEscape(String(stored))}</string>`;
}

/** A sample configuration profile setting every key to the value in `example`. */
export function mobileconfigTemplate(example: Readonly<Record<string, unknown>>): string {
  const settings = keys
    .filter((key) => key in example)
    .map(
      (key) => `      <key>${key}</key>\n      ${plistValue(policyKindsByKey[key], example[key])}`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Sample, generated from main/core/policy/policy-schema.ts and build/policy.example.json by
     npm run policy:templates. Copy it, set your values, and deploy it with your MDM. -->
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadType</key>
      <string>${macBundleId}</string>
      <key>PayloadIdentifier</key>
      <string>${macBundleId}.policy</string>
      <key>PayloadUUID</key>
      <string>6C0B7E0A-4F4B-4E0E-9F51-2B7A1C7D9A10</string>
      <key>PayloadVersion</key>
      <integer>1</integer>
      <key>PayloadDisplayName</key>
      <string>Practice Messenger policy</string>
${settings}
    </dict>
  </array>
  <key>PayloadDisplayName</key>
  <string>Practice Messenger</string>
  <key>PayloadIdentifier</key>
  <string>${macBundleId}.profile</string>
  <key>PayloadScope</key>
  <string>System</string>
  <key>PayloadType</key>
  <string>Configuration</string>
  <key>PayloadUUID</key>
  <string>0E5D3C1B-8A2F-4C6D-B7E9-1F2A3B4C5D6E</string>
  <key>PayloadVersion</key>
  <integer>1</integer>
</dict>
</plist>
`;
}
