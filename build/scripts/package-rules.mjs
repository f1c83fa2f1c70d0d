// What the installer may ship, as rules over the laid-out app (`electron-builder --dir`): the
// files in app.asar, the files unpacked beside it, and the resources. Kept apart from
// package-check.mjs so that a test can feed each rule a package that breaks it.
import path from 'node:path';

/** Packages in package-lock.json that `npm ci --omit=dev` would install, by their folder. */
export function productionPackages(lock) {
  return Object.entries(lock.packages ?? {})
    .filter(
      ([folder, info]) => folder.startsWith('node_modules/') && !info.dev && !info.devOptional,
    )
    .map(([folder, info]) => ({ folder, optional: info.optional === true }));
}

export function devPackages(lock) {
  return new Set(
    Object.entries(lock.packages ?? {})
      .filter(
        ([folder, info]) => folder.startsWith('node_modules/') && (info.dev || info.devOptional),
      )
      .map(([folder]) => folder),
  );
}

/** The package folders (node_modules/a, node_modules/@s/b, nested too) that hold a package.json. */
function packageFolders(files) {
  const folders = new Set();
  for (const file of files) {
    if (file.startsWith('node_modules/') && file.endsWith('/package.json')) {
      const folder = file.slice(0, -'/package.json'.length);
      // A package's own package.json sits right under its name, not deeper in its files.
      if (/^(node_modules\/(@[^/]+\/)?[^/]+\/?)+$/.test(`${folder}/`)) folders.add(folder);
    }
  }
  return folders;
}

/**
 * Problems with the laid-out app, as sentences; none means it ships what it should.
 * @param {object} p
 * @param {string[]} p.asarFiles every file in app.asar, relative, with forward slashes
 * @param {string[]} p.unpackedFiles every file in app.asar.unpacked, the same way
 * @param {string[]} p.resourceFiles every file in the resources folder beside app.asar
 * @param {object} p.lock package-lock.json
 * @param {string[]} p.nativeModules package folders that hold native code (asarUnpack)
 * @param {string} p.platform e.g. linux
 * @param {string} p.arch e.g. x64
 * @param {string | undefined} p.shippedPolicyExample resources/policy.example.json's text
 * @param {string} p.policyExample build/policy.example.json's text
 */
export function packageProblems(p) {
  const problems = [];
  const all = [...p.asarFiles, ...p.unpackedFiles];

  for (const file of p.asarFiles) {
    if (!(file === 'package.json' || file.startsWith('out/') || file.startsWith('node_modules/'))) {
      problems.push(`app.asar holds ${file}, outside out/ and the production dependencies`);
    }
  }
  for (const file of all) {
    if (/(^|\/)(tests?|harness|bench|docs)\//.test(file) && !file.startsWith('node_modules/')) {
      problems.push(`the app ships ${file}, from tests, the harness, bench or docs`);
    }
    if (file.startsWith('out/') && /harness/i.test(file)) {
      problems.push(`the app ships ${file}: the test harness must never ship`);
    }
    if (file.endsWith('.map')) problems.push(`the app ships the source map ${file}`);
  }
  if (!p.asarFiles.includes('out/main/index.js')) {
    problems.push(
      'app.asar has no out/main/index.js (the main process): run `npm run build` first',
    );
  }

  const shipped = packageFolders(all);
  const production = productionPackages(p.lock);
  const productionFolders = new Set(production.map((pkg) => pkg.folder));
  const dev = devPackages(p.lock);
  for (const folder of shipped) {
    if (dev.has(folder)) problems.push(`the dev dependency ${folder.slice(13)} is shipped`);
    else if (!productionFolders.has(folder)) {
      problems.push(`${folder} is shipped but is no production dependency in package-lock.json`);
    }
  }
  for (const pkg of production) {
    if (!pkg.optional && !shipped.has(pkg.folder)) {
      problems.push(
        `the production dependency ${pkg.folder.slice(13)} is missing (a package needs it at run time)`,
      );
    }
  }

  const tag = `${p.platform}-${p.arch}`;
  for (const folder of p.nativeModules) {
    const prefix = `${folder}/`;
    const inAsar = p.asarFiles.filter((f) => f.startsWith(prefix) && f.endsWith('.node'));
    if (inAsar.length > 0) {
      problems.push(`${folder}: native code inside app.asar (${inAsar[0]}) cannot be loaded`);
    }
    const binaries = p.unpackedFiles.filter((f) => f.startsWith(prefix) && f.endsWith('.node'));
    const forPlatform = binaries.filter(
      (f) => f.includes(`/${tag}/`) || /\/build\/Release\/[^/]+\.node$/.test(f),
    );
    if (forPlatform.length === 0) {
      problems.push(`${folder}: no native binary for ${tag} in app.asar.unpacked`);
    }
  }

  if (p.shippedPolicyExample === undefined) {
    problems.push('resources/policy.example.json is missing');
  } else if (p.shippedPolicyExample !== p.policyExample) {
    problems.push('resources/policy.example.json differs from build/policy.example.json');
  }
  for (const template of [
    'policy-templates/PracticeMessenger.admx',
    'policy-templates/en-US/PracticeMessenger.adml',
    'policy-templates/PracticeMessenger.mobileconfig',
  ]) {
    if (!p.resourceFiles.includes(template)) problems.push(`resources/${template} is missing`);
  }
  // Updates come only from IT's own deployment: no update feed is configured or shipped.
  if (p.resourceFiles.includes('app-update.yml')) {
    problems.push('resources/app-update.yml is shipped: the app must not update itself');
  }
  return problems;
}

/** Forward-slash relative paths, for comparing listings made on any OS. */
export function relative(from, file) {
  return path.relative(from, file).split(path.sep).join('/');
}
