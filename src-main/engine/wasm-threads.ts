/**
 * tfjs-backend-wasm's threaded build in Node, so XNNPACK's convolutions and matrix products use every core.
 *
 * tfjs 4.22 turns threads off in Node (`WASM_HAS_MULTITHREAD_SUPPORT` is false when IS_NODE, tfjs#3830):
 * its init hands Emscripten Blob URLs for the pthread worker script and the main script, which Node's
 * worker_threads cannot load. Emscripten's own code supports Node workers, so this init gives the threaded
 * factory what Node can load instead: the worker script (shipped as a string) as a data: URL, the main
 * script and the .wasm where npm put them. The backend stays tfjs's `BackendWasm` under the name `wasm`,
 * with every kernel the package and the engine registered for it.
 *
 * XNNPACK's pool is capped at half the logical cores (backend.cc assumes two hyper-threads per core), which
 * is one thread on a 2-vCPU machine; the import that reports the core count answers twice the threads asked
 * for, so the cap is the count chosen here.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { BackendWasm, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm'
import { unpackedPath } from '@shared/asar-path'
import type { ModelKind } from '@shared/config/fields'
import { tf } from './tf'

// Not named `require`: electron-vite's ESM output declares its own `require` shim in the same chunk.
const requireHere = createRequire(import.meta.url)
const WASM_OUT = 'tfjs-backend-wasm-threaded-simd'
/** The pthread workers the threaded build preloads (PTHREAD_POOL_SIZE), so the most threads it runs without more. */
const MAX_WASM_THREADS = 8

/** The parts of Emscripten's module this init touches (the package types only the browser's half). */
interface ThreadedModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number
  PThread: { unusedWorkers: Array<{ unref(): void }>; runningWorkers: Array<{ unref(): void }> }
  tfjs?: unknown
}

type WasmImports = { env: Record<string, unknown> }
// The engine's tsconfig has no DOM library, which is where TypeScript declares WebAssembly.
type Receive = (instance: object, module: object) => void
const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: { instantiate(binary: Uint8Array, imports: object): Promise<{ instance: object; module: object }> }
}

interface FactoryConfig {
  /** Emscripten hands the worker's "file" straight to `new Worker()`, which takes a URL object too. */
  locateFile(path: string, prefix: string): string | URL
  instantiateWasm(imports: WasmImports, receive: Receive): Record<string, never>
  onAbort(what: unknown): void
}

/**
 * Threads for XNNPACK when CLAB_WASM_THREADS does not say: every core (at most MAX_WASM_THREADS) for the
 * U-Net, whose convolutions take milliseconds each, and one for the 2D MLP, whose kernels take a fraction of one, so waking a second thread costs what it saves and competes with CD's target-side
 * thread. Measured here (2 cores, a shared and noisy machine, bench/images-bench.ts and bench/bench.ts with
 * CLAB_WASM_THREADS 1 against 2, interleaved): the U-Net teacher step at batch 64 3.5-4.9 s -> 2.5-3.3 s, the
 * teacher's 100-step sampling 1.8-2.0 -> 1.2-1.4 s per sample, the U-Net CD Heun step beside the target thread
 * no clearer than 3.9-5.2 -> 3.9-4.6 s; the 2D MLP's CD Euler step beside the target thread 18-22 -> 28-30 ms.
 */
export function defaultWasmThreads(model: ModelKind): number {
  return model === 'mlp' ? 1 : Math.min(MAX_WASM_THREADS, Math.max(1, availableParallelism()))
}

/**
 * CLAB_WASM_THREADS=n overrides the count (1 keeps tfjs's own single-threaded init); anything else that is
 * set is refused by name, so a typo does not silently change what a benchmark measures.
 */
export function wasmThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const text = env.CLAB_WASM_THREADS
  if (text === undefined || text === '') return null
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1 || value > MAX_WASM_THREADS)
    throw new Error(
      `CLAB_WASM_THREADS must be a whole number from 1 to ${MAX_WASM_THREADS}, got ${JSON.stringify(text)}`,
    )
  return value
}

/**
 * The pthread worker's script as something Node's Worker starts without a file: a data: URL, which Node loads
 * as an ES module, that gives the package's classic script the `require` and `__filename` it expects and
 * evaluates it in the worker's global scope. Nothing is written to disk, so nothing there can be swapped.
 */
function workerScriptUrl(mainScript: string): URL {
  const workerPath = join(dirname(mainScript), `${WASM_OUT}.worker.js`)
  const { wasmWorkerContents } = requireHere(workerPath) as { wasmWorkerContents: string }
  // The package keeps the script in a template literal whose `\n` escapes became newlines inside string
  // literals; tfjs's own init escapes them again the same way before making its Blob.
  const script = wasmWorkerContents.replace(/\n/g, '\\n')
  const module = [
    `import { createRequire } from 'node:module'`,
    `globalThis.require = createRequire(${JSON.stringify(workerPath)})`,
    `globalThis.__filename = ${JSON.stringify(workerPath)}`,
    `;(0, eval)(${JSON.stringify(script)})`,
  ].join('\n')
  return new URL(`data:text/javascript,${encodeURIComponent(module)}`)
}

async function threadedModule(threads: number): Promise<ThreadedModule> {
  const mainScript = unpackedPath(requireHere.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${WASM_OUT}.js`))
  const factory = requireHere(mainScript) as (config: FactoryConfig) => Promise<ThreadedModule>
  const binary = readFileSync(join(dirname(mainScript), `${WASM_OUT}.wasm`))
  const worker = workerScriptUrl(mainScript)
  const module = await new Promise<ThreadedModule>((resolve, reject) => {
    factory({
      locateFile: (path, prefix) => (path.endsWith('.worker.js') ? worker : prefix + path),
      instantiateWasm: (imports, receive) => {
        imports.env.emscripten_num_logical_cores = () => 2 * threads
        wasmApi
          .instantiate(binary, imports)
          .then(({ instance, module: compiled }) => receive(instance, compiled), reject)
        return {}
      },
      onAbort: (what) => reject(new Error(`threaded wasm aborted: ${String(what)}`)),
    }).then(resolve, reject)
  })
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  }
  return module
}

/** What the wasm backend ended up with, for the run's record; null until it initialised. */
export interface WasmThreading {
  threads: number
  /** Why the threaded build was not used, when it was asked for and failed. */
  fallback: string | null
}

let threading: WasmThreading | null = null

export function wasmThreading(): WasmThreading | null {
  return threading
}

/**
 * Replaces the `wasm` backend's factory (before its first use) by one that starts the threaded build with
 * `threads` XNNPACK threads, falling back to tfjs's own single-threaded init if that fails. 1 keeps tfjs's.
 */
export function useWasmThreads(threads: number): void {
  const stock = tf.findBackendFactory('wasm')
  if (!stock) throw new Error('the wasm backend is not registered')
  if (threads <= 1) {
    threading = { threads: 1, fallback: null }
    return
  }
  tf.removeBackend('wasm')
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        const module = await threadedModule(threads)
        setThreadsCount(threads)
        const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0])
        // Emscripten keeps a busy pthread's worker referenced; the pool must not keep the process alive.
        for (const worker of [...module.PThread.unusedWorkers, ...module.PThread.runningWorkers]) worker.unref()
        threading = { threads: getThreadsCount(), fallback: null }
        return backend
      } catch (error) {
        setThreadsCount(1)
        // The first line names what failed; Node appends the require stack below it.
        threading = { threads: 1, fallback: String((error as Error).message ?? error).split('\n')[0] ?? '' }
        return stock()
      }
    },
    2,
  )
}
