// The import rules of docs/architecture.md: which top-level area may import which, and the
// layers inside main/core. Enforced here rather than by review so that a renderer file reaching
// for `node:fs`, shared/ reaching into main/, or storage reaching for a domain rule fails
// `npm run lint`.
import path from 'node:path';
import { builtinModules } from 'node:module';

const root = path.resolve(import.meta.dirname, '../..');
const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Areas in the order they are matched (first match wins). `imports` lists the project areas a
 * file in this area may import; `node` whether Node built-ins are allowed; `electron` whether the
 * `electron` package is.
 */
export const areas = [
  {
    name: 'main/electron',
    match: /^main\/electron\//,
    imports: ['main/electron', 'main/core', 'shared'],
    node: true,
    electron: true,
  },
  {
    name: 'main/core',
    match: /^main\/core\//,
    imports: ['main/core', 'shared'],
    node: true,
    electron: false,
  },
  {
    name: 'main/cli',
    match: /^main\/cli\//,
    imports: ['main/cli', 'main/core', 'shared'],
    node: true,
    electron: false,
  },
  {
    name: 'preload',
    match: /^preload\//,
    imports: ['preload', 'shared'],
    node: false,
    electron: true,
  },
  {
    name: 'renderer',
    match: /^renderer\//,
    imports: ['renderer', 'shared'],
    node: false,
    electron: false,
  },
  { name: 'shared', match: /^shared\//, imports: ['shared'], node: false, electron: false },
  {
    name: 'server',
    match: /^server\//,
    imports: ['server', 'shared'],
    node: true,
    electron: false,
  },
  { name: 'tests', match: /^tests\//, imports: '*', node: true, electron: false },
  { name: 'bench', match: /^bench\//, imports: '*', node: true, electron: false },
  { name: 'build', match: /^build\//, imports: '*', node: true, electron: false },
  { name: 'bin', match: /^bin\//, imports: ['dist'], node: true, electron: false },
  { name: 'config', match: /^[^/]+\.(c|m)?(j|t)s$/, imports: '*', node: true, electron: false },
];

const projectAreas = [
  'main/electron',
  'main/core',
  'main/cli',
  'preload',
  'renderer',
  'shared',
  'server',
  'tests',
  'bench',
  'build',
  'bin',
  'dist',
];

/**
 * The sub-areas of main/core in layers, lowest first. A file may import its own layer and the
 * layers below it, never one above: storage knows no domain rule, the domain knows nothing of
 * the app's composition. (main/cli and main/electron sit above all of these.)
 */
export const coreLayers = [
  ['log', 'time'],
  ['db'],
  ['keychain', 'signal', 'profile'],
  [
    'messaging',
    'transcription',
    'retention',
    'audit',
    'notify',
    'policy',
    'clipboard',
    'ipc',
    'roles',
  ],
  ['app'],
];

/** The layer index of a main/core path, -1 for a sub-area no layer lists, null outside. */
function coreLayerOf(relative) {
  const match = /^main\/core\/([^/]+)\//.exec(relative);
  if (!match) return relative.startsWith('main/core/') ? { name: relative, layer: -1 } : null;
  const name = match[1];
  return { name, layer: coreLayers.findIndex((layer) => layer.includes(name)) };
}

function checkCoreLayers(context, node, specifier, file, target) {
  const from = coreLayerOf(file);
  const to = coreLayerOf(target);
  if (!from || !to) return;
  for (const side of [from, to]) {
    if (side.layer === -1) {
      context.report({
        node,
        message: `main/core/${side.name} is in no layer of the core: add it to coreLayers in build/eslint/boundaries.js.`,
      });
      return;
    }
  }
  if (to.layer > from.layer) {
    context.report({
      node,
      message: `main/core/${from.name} must not import '${specifier}': ${to.name} is a higher layer of the core (${coreLayers
        .map((layer) => layer.join(' / '))
        .join(', then ')}).`,
    });
  }
}

function areaOfPath(relative) {
  return projectAreas.find((a) => relative === a || relative.startsWith(`${a}/`)) ?? null;
}

function check(context, node, specifier) {
  const file = path.relative(root, context.filename).split(path.sep).join('/');
  const area = areas.find((a) => a.match.test(file));
  if (!area) return;
  if (specifier === 'electron' || specifier.startsWith('electron/')) {
    if (!area.electron)
      context.report({
        node,
        message: `${area.name} must not import electron: only main/electron/ and preload/ may.`,
      });
    return;
  }
  if (nodeBuiltins.has(specifier) || nodeBuiltins.has(specifier.split('/')[0] ?? '')) {
    if (!area.node)
      context.report({
        node,
        message: `${area.name} must not import the Node built-in '${specifier}': it runs without Node.`,
      });
    return;
  }
  if (!specifier.startsWith('.')) return; // npm packages are governed by package.json, not here
  const target = path
    .relative(root, path.resolve(path.dirname(context.filename), specifier))
    .split(path.sep)
    .join('/');
  const targetArea = areaOfPath(target);
  if (area.imports === '*') return;
  if (!targetArea || !area.imports.includes(targetArea)) {
    context.report({
      node,
      message: `${area.name} must not import '${specifier}' (${targetArea ?? 'outside the project areas'}); allowed: ${area.imports.join(', ')}.`,
    });
    return;
  }
  if (area.name === 'main/core') checkCoreLayers(context, node, specifier, file, target);
}

const importBoundaries = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const visit = (node) => {
      if (node.source && typeof node.source.value === 'string')
        check(context, node.source, node.source.value);
    };
    return {
      ImportDeclaration: visit,
      ExportNamedDeclaration: visit,
      ExportAllDeclaration: visit,
      ImportExpression: visit,
      CallExpression(node) {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments[0]?.type === 'Literal' &&
          typeof node.arguments[0].value === 'string'
        ) {
          check(context, node.arguments[0], node.arguments[0].value);
        }
      },
    };
  },
};

// A source file in a place no area covers has no import rules, so it is an error in itself.
const knownLocation = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    return {
      Program(node) {
        const file = path.relative(root, context.filename).split(path.sep).join('/');
        if (!areas.some((a) => a.match.test(file))) {
          context.report({
            node,
            message: `'${file}' is outside every area of the import rules (build/eslint/boundaries.js): move it into one, or add an area.`,
          });
        }
      },
    };
  },
};

export default {
  rules: { 'import-boundaries': importBoundaries, 'known-location': knownLocation },
};
