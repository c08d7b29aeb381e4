/**
 * One engine script bundled for a folder with no node_modules of its own (esbuild): the GPU check's bench
 * (build.mjs), and the test that runs the wasm-threads probe that way. Beside the bundle go tfjs-backend-wasm's
 * binaries (found from __dirname by tfjs's own init) and, unless told not to, the threaded build's scripts
 * where wasm-threads.ts resolves them (node_modules/@tensorflow/tfjs-backend-wasm/wasm-out), so XNNPACK runs
 * on every core there too.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const wasmPackage = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm')
const THREADED = 'tfjs-backend-wasm-threaded-simd'

/**
 * @param {{ entry: string, outfile: string, threaded?: boolean, plugins?: import('esbuild').Plugin[],
 *   alias?: Record<string, string> }} options
 */
export async function bundleEngineScript({ entry, outfile, threaded = true, plugins = [], alias = {} }) {
  const out = dirname(outfile)
  mkdirSync(out, { recursive: true })
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    alias,
    plugins,
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warning',
    // CommonJS parts of tfjs call require / __dirname; the wasm backend finds its .wasm files from __dirname.
    banner: {
      js: [
        "import { createRequire as __cr } from 'node:module'",
        "import { fileURLToPath as __fu } from 'node:url'",
        "import { dirname as __dn } from 'node:path'",
        'const require = __cr(import.meta.url)',
        'const __filename = __fu(import.meta.url)',
        'const __dirname = __dn(__filename)',
      ].join('\n'),
    },
  })
  const dist = join(wasmPackage, 'dist')
  for (const f of readdirSync(dist)) if (f.endsWith('.wasm')) copyFileSync(join(dist, f), join(out, f))
  if (threaded) {
    const target = join(out, 'node_modules', '@tensorflow', 'tfjs-backend-wasm')
    mkdirSync(join(target, 'wasm-out'), { recursive: true })
    copyFileSync(join(wasmPackage, 'package.json'), join(target, 'package.json'))
    for (const ext of ['.js', '.wasm', '.worker.js'])
      copyFileSync(join(wasmPackage, 'wasm-out', THREADED + ext), join(target, 'wasm-out', THREADED + ext))
  }
}
