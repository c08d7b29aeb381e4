#!/usr/bin/env node
/**
 * Builds the `clab` CLI once into out/cli (ES modules, one chunk per lazily loaded command), so a call does
 * not compile the TypeScript sources again: bin/clab.mjs runs the bundle while it is fresh and falls back to
 * tsx otherwise. The engine process's entry (engine.mjs) and its target-side worker's (target-side-worker.mjs)
 * are built beside it, sharing its chunks, and start from there the same way. Run by `npm run build` and at
 * `npm install` (`prepare`).
 *
 * npm packages stay external (loaded from node_modules as under tsx). The sources' `import.meta.url` is
 * rewritten to the source file's own URL, relative to the chunk, so the paths built from it (resources/,
 * the engine's bootstrap, the served renderer) point where they do under tsx, wherever the folder is moved.
 * out/cli/manifest.json lists every source the bundle was built from with its size and mtime; a changed,
 * moved or deleted source makes the bundle stale (cli-bundle.mjs).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { MANIFEST, OUT_DIR, ROOT } from '../bin/cli-bundle.mjs'

const outDir = fileURLToPath(OUT_DIR)
const root = fileURLToPath(ROOT)

/** `import.meta.url` of a source file, as seen from a chunk in out/cli. */
const sourceUrlPlugin = {
  name: 'source-import-meta-url',
  setup(context) {
    context.onLoad({ filter: /\.(ts|mjs|js)$/ }, (args) => {
      if (args.path.includes(`${join('node_modules')}`)) return undefined
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes('import.meta.url')) return undefined
      const fromChunk = relative(outDir, args.path).split('\\').join('/')
      const contents = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`)
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' }
    })
  },
}

// No process takes the bundle for fresh while it is rewritten (bin/clab.mjs then runs the sources); every file
// is replaced by a rename, so one already running never reads half a chunk.
const manifestPath = fileURLToPath(MANIFEST)
rmSync(manifestPath, { force: true })
mkdirSync(outDir, { recursive: true })
const started = Date.now()
const result = await build({
  entryPoints: {
    main: join(root, 'src-main/cli/main.ts'),
    // The engine process and its target-side worker, started from here while the bundle is fresh
    // (bundled-entries.ts), so a run does not compile the engine's sources again in each process.
    engine: join(root, 'src-main/trainer-host/main.ts'),
    'target-side-worker': join(root, 'src-main/trainer-host/target-side-worker.ts'),
  },
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  tsconfig: join(root, 'tsconfig.json'),
  sourcemap: 'linked',
  metafile: true,
  write: false,
  logLevel: 'warning',
  plugins: [sourceUrlPlugin],
})

function replaceFile(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, contents)
  renameSync(temporary, path)
}

const written = new Set()
for (const file of result.outputFiles) {
  replaceFile(file.path, file.contents)
  written.add(file.path)
}
// Chunks of an earlier build (their names are content hashes).
for (const name of readdirSync(outDir))
  if (!written.has(join(outDir, name))) rmSync(join(outDir, name), { force: true })

const sources = {}
let changedMeanwhile = null
for (const input of Object.keys(result.metafile.inputs)) {
  const path = resolve(root, input)
  const { size, mtimeMs } = statSync(path)
  sources[relative(root, path).split('\\').join('/')] = { size, mtimeMs }
  // Edited while it was built: the bundle may hold the old text under the new mtime, so it is never called fresh.
  if (mtimeMs >= started - 1000) changedMeanwhile = relative(root, path)
}
if (changedMeanwhile) {
  process.stdout.write(
    `clab CLI built, but ${changedMeanwhile} changed meanwhile: clab runs the sources until the next build\n`,
  )
} else {
  replaceFile(manifestPath, `${JSON.stringify({ builtAt: new Date().toISOString(), sources })}\n`)
  process.stdout.write(
    `clab CLI built: ${relative(root, join(outDir, 'main.mjs'))} from ${Object.keys(sources).length} sources\n`,
  )
}
