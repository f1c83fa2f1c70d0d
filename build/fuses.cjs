// electron-builder `afterPack` hook: flips Electron's fuses in the packaged binary, before
// electron-builder signs it. Fuses are baked into the executable, so unlike command-line
// switches they cannot be turned back on by whoever starts the app.
/* global require, module */
const path = require('node:path');

/** The fuse wire for every platform. A unit test asserts these values. */
function fuseConfig(FuseV1Options, FuseVersion, { resetAdHocDarwinSignature }) {
  return {
    version: FuseVersion.V1,
    // Apple silicon refuses to run a modified binary until it is re-signed (ad hoc here; the
    // real signature is applied afterwards by electron-builder).
    resetAdHocDarwinSignature,
    // ELECTRON_RUN_AS_NODE would turn the app into a plain Node with the user's rights and none of our checks.
    [FuseV1Options.RunAsNode]: false,
    // NODE_OPTIONS could preload arbitrary code into main (e.g. --require).
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    // --inspect would let a local process attach a debugger to main, where the keys live.
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    // app.asar is checked against the hash embedded in the signed executable (Windows, macOS).
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    // Refuse an app folder placed beside (or instead of) the asar.
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.EnableCookieEncryption]: true,
  };
}

/** Where electron-builder put the executable whose fuses we flip. */
function executablePath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const productFilename = packager.appInfo.productFilename;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${productFilename}.exe`);
    default:
      return path.join(appOutDir, packager.executableName);
  }
}

async function afterPack(context) {
  const { flipFuses, FuseV1Options, FuseVersion } = require('@electron/fuses');
  // electron-builder's Arch enum: arm64 is 3, universal 4.
  const isAppleSilicon =
    context.electronPlatformName === 'darwin' && (context.arch === 3 || context.arch === 4);
  await flipFuses(
    executablePath(context),
    fuseConfig(FuseV1Options, FuseVersion, { resetAdHocDarwinSignature: isAppleSilicon }),
  );
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.fuseConfig = fuseConfig;
module.exports.executablePath = executablePath;
