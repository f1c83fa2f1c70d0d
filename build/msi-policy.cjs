// electron-builder `msiProjectCreated` hook: adds to the MSI the public properties IT passes on
// the msiexec command line, written to the machine policy the app reads first
// (HKLM\SOFTWARE\Policies\PracticeMessenger, the key of the Group Policy templates):
//   msiexec /i "Practice Messenger 0.1.0.msi" /qn RELAY_URL=https://relay.example.nhs.uk:8443 CERT_PIN=<64 hex>
// Each value is its own component, installed only when its property is given. The MSI removes the
// values it wrote when it is uninstalled; profiles (in each user's AppData) are never touched.
/* global require, module */
const { readFile, writeFile } = require('node:fs/promises');

const policyKey = 'SOFTWARE\\Policies\\PracticeMessenger';

/** Property on the msiexec command line -> policy key (a test checks these against the schema). */
const policyProperties = {
  RELAY_URL: { valueName: 'serverUrl', guid: '6F1B0C52-3A4D-4E5F-8A9B-0C1D2E3F4A51' },
  CERT_PIN: { valueName: 'serverCertificateSha256', guid: '6F1B0C52-3A4D-4E5F-8A9B-0C1D2E3F4A52' },
};

function addPolicyProperties(wxs) {
  const properties = Object.keys(policyProperties)
    .map((property) => `    <Property Id="${property}" Secure="yes"/>`)
    .join('\n');
  const components = Object.entries(policyProperties)
    .map(
      ([property, { valueName, guid }]) =>
        `      <Component Id="Policy_${valueName}" Guid="{${guid}}">\n` +
        `        <Condition>${property}</Condition>\n` +
        `        <RegistryValue Root="HKLM" Key="${policyKey}" Name="${valueName}" Type="string" Value="[${property}]" KeyPath="yes"/>\n` +
        `      </Component>`,
    )
    .join('\n');
  const withProperties = wxs.replace(
    '<Directory Id="TARGETDIR"',
    `${properties.trimStart()}\n    <Directory Id="TARGETDIR"`,
  );
  const withComponents = withProperties.replace(
    /(<ComponentGroup Id="ProductComponents"[^>]*>)/,
    `$1\n${components}`,
  );
  if (withProperties === wxs || withComponents === withProperties) {
    throw new Error(
      'msi-policy.cjs: the WiX project no longer has the expected shape; update the hook',
    );
  }
  return withComponents;
}

async function msiProjectCreated(projectFile) {
  await writeFile(projectFile, addPolicyProperties(await readFile(projectFile, 'utf8')));
}

module.exports = msiProjectCreated;
module.exports.default = msiProjectCreated;
module.exports.addPolicyProperties = addPolicyProperties;
module.exports.policyProperties = policyProperties;
module.exports.policyKey = policyKey;
