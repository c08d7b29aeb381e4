/**
 * Multithreaded wasm under Node. tfjs-backend-wasm 4.22 never picks its threaded-SIMD binary under Node
 * (its WASM_HAS_MULTITHREAD_SUPPORT flag returns false when IS_NODE, tensorflow/tfjs#3830), and forcing
 * the flag fails: the loader hands Emscripten's pthread pool a `blob:` URL for the worker script, and
 * Node's worker_threads only accept file paths (ERR_WORKER_PATH). The package does ship everything the
 * threaded build needs as files, though (wasm-out/*-threaded-simd.{js,wasm,worker.js}), and Emscripten's
 * worker script supports Node natively. So this module instantiates that build itself, with file paths
 * for the worker and the main script, wraps it in the package's own BackendWasm class, and registers it
 * under the name `wasm` (the kernels are registered per backend name, so they all apply unchanged).
 *
 * Call before the first tf.setBackend('wasm'). Any failure throws; the caller falls back to the
 * single-threaded loader.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os, { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { tf } from './tf'

const require = createRequire(import.meta.url)

interface EmscriptenModule {
  cwrap: (name: string, ret: string | null, args: string[]) => unknown
  tfjs?: Record<string, unknown>
  PThread?: { terminateAllThreads?: () => void }
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>

let installed = false

/** Replaces the `wasm` backend registration with the threaded-SIMD build using `threads` threads. */
export async function registerThreadedWasm(threads: number, name = 'wasm'): Promise<void> {
  if (installed) return
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is not available')
  const wasmBackend = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as {
    BackendWasm: new (module: EmscriptenModule) => tf.KernelBackend
    setThreadsCount: (n: number) => void
  }
  const packageDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))
  const outDir = join(packageDir, 'wasm-out')
  const mainScript = join(outDir, 'tfjs-backend-wasm-threaded-simd.js')
  const factory = require(mainScript) as Factory
  const workerScript = writeWorkerScript(
    (require(join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string }).wasmWorkerContents,
  )

  // The build sizes its pool as min(requested, emscripten_num_logical_cores() / 2) (it assumes two
  // hyperthreads per core), and under Node that count is os.cpus().length, read once by a static
  // initializer while the module instantiates. Report twice the real count for that moment only, so
  // the cap becomes the real number of logical cores.
  const realCpus = os.cpus
  os.cpus = () => {
    const cpus = realCpus()
    return [...cpus, ...cpus]
  }
  // Instantiate eagerly, so a failure surfaces here (and the caller can fall back) rather than inside
  // tf.setBackend, which only logs and returns false.
  const module = await new Promise<EmscriptenModule>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('threaded wasm did not start within 20 s')), 20_000)
    factory({
      locateFile: (path: string) =>
        path.endsWith('.worker.js') ? workerScript : join(outDir, path.endsWith('.wasm') ? 'tfjs-backend-wasm-threaded-simd.wasm' : path),
      mainScriptUrlOrBlob: mainScript,
      onAbort: (what: unknown) => reject(new Error(`threaded wasm aborted: ${String(what)}`)),
    }).then(
      (m) => {
        clearTimeout(timer)
        resolve(m)
      },
      (e: unknown) => {
        clearTimeout(timer)
        reject(e instanceof Error ? e : new Error(String(e)))
      },
    )
  }).finally(() => {
    os.cpus = realCpus
  })
  // The same bridge the package's own init() builds.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  }
  wasmBackend.setThreadsCount(threads)
  const backend = new wasmBackend.BackendWasm(module)
  if (name === 'wasm') {
    // (findBackendFactory, not findBackend: the latter would start the stock loader's async init.)
    if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm')
  } else {
    // Under another name (side-by-side benchmarks), the wasm kernels are registered again for it.
    for (const kernel of tf.getKernelsForBackend('wasm')) tf.registerKernel({ ...kernel, backendName: name })
  }
  const ok = tf.registerBackend(name, () => backend, name === 'wasm' ? 2 : 0)
  if (!ok) throw new Error('could not register the threaded wasm backend')
  installed = true
}

/**
 * The package ships the pthread worker script only as a string export (meant for a Blob URL); Node needs
 * a file. Written once per content to the temp directory (atomically, as several processes may race).
 */
function writeWorkerScript(contents: string): string {
  // The string came out of a template literal, so its "\n" escapes are real newlines inside string
  // literals; the package's own loader undoes that the same way before making its Blob.
  const text = contents.replace(/\n/g, '\\n')
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0
  const path = join(tmpdir(), `tfjs-wasm-threaded-simd-${(hash >>> 0).toString(16)}.worker.cjs`)
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
    const partial = `${path}.${process.pid}.tmp`
    writeFileSync(partial, text)
    renameSync(partial, path)
  }
  return path
}

export function threadedWasmInstalled(): boolean {
  return installed
}
