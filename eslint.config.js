/**
 * Lint = eslint recommended + typescript-eslint recommended (no type-aware rules, so it stays fast) + the
 * dependency rule of ARCHITECTURE.md, made checkable per folder with `no-restricted-imports`:
 *
 *   src-shared/**       imports only itself (relative or '@shared') and zod
 *   src-main/engine/**  imports only '@shared' / src-shared, itself, '@tensorflow/*' and node:util
 *                       (and wasm-threads.ts, the wasm backend's loader, the node:fs/module/os/path it
 *                       needs to start tfjs's own threaded binary, as tfjs's own loader does)
 *   src-main/store/**   no electron, no tfjs, no svelte or chart.js; relative imports stay in store or src-shared
 *   src-renderer/**     imports only '@shared' / src-shared, itself, svelte, chart.js and its zoom plugin
 *   electron            only in src-main/app, src-main/ipc, src-main/preload
 *
 * `no-restricted-imports` sees `import`, `export … from` and `import x = require()`; the same bans are
 * applied to `import('…')` and `require('…')` through `no-restricted-syntax`.
 * test/architecture/layers.test.ts lints a bad sample per rule so these checks cannot silently stop working.
 */
import { builtinModules } from 'node:module'
import { posix } from 'node:path'
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import globals from 'globals'
import svelteParser from 'svelte-eslint-parser'
import tseslint from 'typescript-eslint'

const SOURCE_EXTENSIONS = 'ts,mts,cts,js,mjs,cjs,svelte'

// ---------------------------------------------------------------------------------------------------------
// Import bans. Each ban is { regex, message }: a module specifier matching `regex` is an error.

/** Escapes regex syntax characters (not '/', which needs no escaping in a RegExp built from a string). */
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A package and its subpaths: 'svelte', 'svelte/store'. */
const pkg = (name) => `${escapeRe(name)}(?:/|$)`

const NODE_BUILTIN = `node:|(?:${[...new Set(builtinModules.map((m) => m.split('/')[0]))]
  .filter((m) => !m.startsWith('_'))
  .map(escapeRe)
  .join('|')})(?:/|$)`

const ban = (regex, message) => ({ regex, message })

const BAN_ELECTRON = ban(
  `^${pkg('electron')}`,
  'Only src-main/app, src-main/ipc and src-main/preload may import electron.',
)
const BAN_TFJS = ban('^@tensorflow/', 'tfjs belongs in src-main/engine.')
const BAN_SQLITE = ban(`^${pkg('better-sqlite3')}`, 'The database belongs in src-main/store.')
const BAN_UI = ban(`^(?:${pkg('svelte')}|${pkg('chart.js')})`, 'svelte and chart.js belong in src-renderer.')

/** Everything that is not relative and not listed (an allow-list). */
const onlyAllow = (allowed, message) => ban(`^(?!\\.|${allowed.map((a) => `(?:${a})`).join('|')})`, message)

/**
 * A relative path written plainly: './x' or '../../x' followed by ordinary segments. Anything else
 * ('./../x', 'a/../../b', '..') could hide where it points, so it is refused in layered folders.
 */
const PLAIN_RELATIVE = '(?:\\./|(?:\\.\\./)+)(?:(?!\\.\\.?(?:/|$))[^/]+(?:/|$))*'
const BAN_ODD_RELATIVE = ban(
  `^(?!${PLAIN_RELATIVE}$)\\.`,
  "Write relative imports as './x' or '../x' with no inner '.' or '..' segments, so the layer check can read them.",
)

/**
 * Relative imports from a file `depth` folders below `root` that leave `root`, except into `reach`.
 * From src-main/engine/x.ts (depth 0) '../store/db' leaves the engine; '../../src-shared/rng' reaches src-shared.
 */
function banEscape(root, depth, reach, message) {
  const allowed = reach.map((dir) => `${escapeRe('../'.repeat(depth) + posix.relative(root, dir))}(?:/|$)`)
  const except = allowed.length > 0 ? `(?!${allowed.join('|')})` : ''
  return ban(`^${except}(?:\\.\\./){${depth + 1}}`, message)
}

// ---------------------------------------------------------------------------------------------------------
// Layers.

const SHARED_ONLY = 'src-shared is pure TypeScript: it imports only itself (relative or @shared) and zod.'

const ENGINE_ALLOWED = [pkg('@shared'), '@tensorflow/', 'node:util$', pkg('ml-matrix'), pkg('webgpu')]
const ENGINE_ONLY =
  'The engine imports only @shared, @tensorflow/*, ml-matrix (linear algebra), webgpu (Dawn, for the webgpu backend) and node:util: no electron, database or files ' +
  '(checkpoints and metrics leave through callbacks).'
const ENGINE_ESCAPE = 'The engine imports only itself and src-shared (use @shared).'

/**
 * `bans` apply to bare specifiers; `reach` lists the folders relative imports may enter besides the layer's
 * own. Relative bans depend on how deep a file sits, so each layer expands to one config block per depth.
 */
const LAYERS = [
  {
    root: 'src-shared',
    bans: [onlyAllow([pkg('@shared'), pkg('zod')], SHARED_ONLY)],
    reach: [],
    escape: SHARED_ONLY,
  },
  {
    root: 'src-main/engine',
    bans: [onlyAllow(ENGINE_ALLOWED, ENGINE_ONLY)],
    reach: ['src-shared'],
    escape: ENGINE_ESCAPE,
  },
  {
    root: 'src-main/store',
    bans: [
      ban(`^${pkg('electron')}`, 'The store runs under plain Node: no electron.'),
      ban('^@tensorflow/', 'The store does not import tfjs.'),
      BAN_UI,
    ],
    reach: ['src-shared'],
    escape: 'The store imports only itself, src-shared (use @shared) and better-sqlite3.',
  },
  {
    root: 'src-main/data',
    bans: [
      onlyAllow(
        [pkg('@shared'), 'node:', pkg('zod')],
        'Dataset file readers import only node:* built-ins, zod and @shared: no database, tfjs, electron or UI.',
      ),
    ],
    reach: ['src-shared'],
    escape: 'Dataset file readers import only themselves and src-shared (use @shared).',
  },
  {
    root: 'src-renderer',
    bans: [
      onlyAllow(
        [pkg('@shared'), pkg('svelte'), pkg('chart.js'), pkg('chartjs-plugin-zoom')],
        'The renderer imports only @shared, svelte, chart.js and chartjs-plugin-zoom; it reaches the app through window.api.',
      ),
    ],
    reach: ['src-shared'],
    escape: 'The renderer imports only itself and src-shared (use @shared).',
  },
]

/** Files deeper than this in a layer are checked as if they were at this depth (stricter, never looser). */
const MAX_DEPTH = 8

/** The two rules that enforce `bans`: static imports, then `import()` and `require()`. */
function importRules(bans) {
  const selectorRe = (regex) => regex.replaceAll('/', '\\/')
  return {
    'no-restricted-imports': [
      'error',
      { patterns: bans.map(({ regex, message }) => ({ regex, message, caseSensitive: true })) },
    ],
    'no-restricted-syntax': [
      'error',
      ...bans.flatMap(({ regex, message }) => [
        { selector: `ImportExpression[source.value=/${selectorRe(regex)}/]`, message },
        { selector: `CallExpression[callee.name="require"][arguments.0.value=/${selectorRe(regex)}/]`, message },
      ]),
    ],
  }
}

const filesAt = (root, depth) => [`${root}/${'*/'.repeat(depth)}*.{${SOURCE_EXTENSIONS}}`]

function layerBlocks({ root, bans, reach, escape }) {
  const block = (files, depth) => ({
    name: `layers/${root}${files[0].includes('**') ? '/**' : `/depth-${depth}`}`,
    files,
    rules: importRules([...bans, BAN_ODD_RELATIVE, banEscape(root, depth, reach, escape)]),
  })
  const blocks = [block([`${root}/**/*.{${SOURCE_EXTENSIONS}}`], MAX_DEPTH)]
  for (let depth = 0; depth < MAX_DEPTH; depth++) blocks.push(block(filesAt(root, depth), depth))
  return blocks
}

const layerRules = [
  // Everywhere outside the electron layers (later blocks refine this for the layered folders).
  {
    name: 'layers/no-electron',
    files: [`{src-main,test,scripts,bench}/**/*.{${SOURCE_EXTENSIONS}}`],
    rules: importRules([BAN_ELECTRON]),
  },
  {
    name: 'layers/electron-app',
    files: [`src-main/{app,ipc}/**/*.{${SOURCE_EXTENSIONS}}`],
    rules: importRules([BAN_UI]),
  },
  {
    // A sandboxed preload can require only electron (and a few polyfilled modules); it is bundled whole.
    name: 'layers/preload',
    files: [`src-main/preload/**/*.{${SOURCE_EXTENSIONS}}`],
    rules: importRules([
      ban(`^(?:${NODE_BUILTIN})`, 'A sandboxed preload has no Node modules.'),
      BAN_TFJS,
      BAN_SQLITE,
      BAN_UI,
    ]),
  },
  ...LAYERS.flatMap(layerBlocks),
  {
    // The wasm backend's threaded loader reads tfjs-backend-wasm's own binary and worker script and counts the
    // cores, as tfjs's loader does inside its package; no other engine file touches files.
    name: 'layers/src-main/engine/wasm-threads',
    files: ['src-main/engine/wasm-threads.ts'],
    rules: importRules([
      onlyAllow([...ENGINE_ALLOWED, 'node:(?:fs|module|os|path)$'], ENGINE_ONLY),
      BAN_ODD_RELATIVE,
      banEscape('src-main/engine', 0, ['src-shared'], ENGINE_ESCAPE),
    ]),
  },
]

// ---------------------------------------------------------------------------------------------------------

export default defineConfig([
  { ignores: ['out/', 'dist/', 'node_modules/', 'resources/', 'coverage/', 'scratch/', 'perf-scratch/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'project/svelte',
    files: ['**/*.svelte'],
    languageOptions: {
      parser: svelteParser,
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
      globals: globals.browser,
    },
    // TypeScript already reports undefined names; the template's globals are not known to ESLint.
    rules: { 'no-undef': 'off' },
  },
  {
    name: 'project/node-scripts',
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    name: 'project/rules',
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  ...layerRules,
])
