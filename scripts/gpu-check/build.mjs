#!/usr/bin/env node
/**
 * Builds out/gpu-check/: everything a bare Linux x64 GPU machine with no Node and no network needs to run the
 * engine's bench on its GPU through WebGPU (issue #18.6; shared/reference/gpu-webgpu.md tells how the H200
 * figures were taken this way). About 50 MB:
 *   bench.mjs          bench/bench.ts bundled (esbuild), the run store left out (better-sqlite3 is a stub:
 *                      the check runs with --skip-store)
 *   *.wasm             tfjs-backend-wasm's binaries, found beside the bundle
 *   node_modules/@tensorflow/tfjs-backend-wasm  its threaded build, so the wasm figures use every core (bundle.mjs)
 *   node_modules/webgpu  Dawn for Node (index.js, package.json, dist/linux-x64/dawn.node)
 *   node.xz            this machine's node binary
 *   libvulkan1.deb     Debian's Vulkan loader (apt-get download), unpacked there without root
 *   run.sh             unpacks, points the loader at the NVIDIA ICD when present, runs the bench
 * Usage: node scripts/gpu-check/build.mjs   then copy out/gpu-check/ over and run `sh run.sh` there.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleEngineScript } from './bundle.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const out = join(root, 'out', 'gpu-check')
mkdirSync(out, { recursive: true })

/**
 * store-bench.ts and images-bench.ts run themselves when they are the entry point (import.meta.url equals
 * argv[1]); inside the one bundle that test is true for every module, so it is switched off there.
 */
const mainBlocksOff = {
  name: 'bench-main-blocks-off',
  setup(context) {
    context.onLoad({ filter: /bench[\\/](store|images)-bench\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8')
      const test = "import.meta.url === pathToFileURL(process.argv[1] ?? '').href"
      if (!text.includes(test)) throw new Error(`${args.path}: its entry-point test changed; update ${import.meta.url}`)
      return { contents: text.replaceAll(test, 'false'), loader: 'ts' }
    })
  },
}

await bundleEngineScript({
  entry: join(root, 'bench', 'bench.ts'),
  outfile: join(out, 'bench.mjs'),
  alias: { 'better-sqlite3': join(here, 'no-sqlite.mjs') },
  plugins: [mainBlocksOff],
})

const webgpu = join(root, 'node_modules', 'webgpu')
const webgpuOut = join(out, 'node_modules', 'webgpu')
mkdirSync(join(webgpuOut, 'dist'), { recursive: true })
for (const f of ['index.js', 'package.json']) copyFileSync(join(webgpu, f), join(webgpuOut, f))
cpSync(join(webgpu, 'dist', 'linux-x64'), join(webgpuOut, 'dist', 'linux-x64'), { recursive: true })
// webgpu's index.js imports `debug`-free code only; its one runtime dependency of note is the .node file.

// Compressing node takes minutes on a busy 2-core machine: kept from an earlier build of the same node.
const nodeXz = join(out, 'node.xz')
const stamp = join(out, 'node.version')
const same = existsSync(nodeXz) && existsSync(stamp) && readFileSync(stamp, 'utf8') === process.version
if (!same) {
  writeFileSync(nodeXz, execFileSync('xz', ['-2', '-T2', '-c', process.execPath], { maxBuffer: 1 << 30 }))
  writeFileSync(stamp, process.version)
}
execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: out, stdio: 'inherit' })
for (const f of readdirSync(out))
  if (f.startsWith('libvulkan1_')) copyFileSync(join(out, f), join(out, 'libvulkan1.deb'))
for (const f of readdirSync(out)) if (f.startsWith('libvulkan1_')) rmSync(join(out, f))
copyFileSync(join(here, 'run.sh'), join(out, 'run.sh'))
process.stdout.write(`built ${out}\n`)
