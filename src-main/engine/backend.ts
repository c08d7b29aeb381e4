/**
 * Compute backend selection, in one place. `auto` tries tfjs-node-gpu, then webgpu on a hardware adapter,
 * then tfjs-node, then wasm, then cpu. tfjs-node(-gpu) are optional (their install downloads libtensorflow);
 * webgpu (Dawn through the `webgpu` package, backend-webgpu.ts), wasm and cpu are direct dependencies.
 */
import util from 'node:util'
import type { BackendChoice, ModelKind } from '@shared/config/fields'
import { BACKEND_AUTO_ORDER } from '@shared/config/choices'
import { adapterLabel, tryWebgpu, type AdapterInfo } from './backend-webgpu'
import { tf } from './tf'
import { defaultWasmThreads, useWasmThreads, wasmThreading, wasmThreadsFromEnv } from './wasm-threads'

export type { AdapterInfo } from './backend-webgpu'

export interface BackendInfo {
  /** What the user asked for. */
  requested: BackendChoice
  /** What runs: `node-gpu`, `webgpu`, `node`, `wasm` or `cpu`. */
  name: Exclude<BackendChoice, 'auto'>
  /** tfjs's own backend name (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  tfBackend: string
  /** webgpu's adapter (vendor, device, software or not); null on the other backends. */
  adapter: AdapterInfo | null
  /** XNNPACK threads on wasm (wasm-threads.ts); null on the other backends. */
  wasmThreads: number | null
  /** What is printed and recorded with the run: the name, with webgpu's adapter. */
  label: string
  /** Why earlier candidates were skipped, for the log. */
  skipped: string[]
}

export class BackendError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackendError'
  }
}

/**
 * tfjs-node 4.22 calls util.isNullOrUndefined / util.isArray, removed in Node 23 (Electron 40+ bundles
 * Node 24). Restore them before importing it (tensorflow/tfjs#8609).
 */
export function applyNodeUtilShim(): void {
  const u = util as unknown as Record<string, unknown>
  if (typeof u.isNullOrUndefined !== 'function') u.isNullOrUndefined = (v: unknown) => v === null || v === undefined
  if (typeof u.isArray !== 'function') u.isArray = Array.isArray
}

/** A candidate's answer: null when it is now the backend, else why not. */
type Attempt = { problem: string } | { problem: null; adapter?: AdapterInfo }

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<Attempt> {
  applyNodeUtilShim()
  try {
    await import(/* @vite-ignore */ pkg)
    if (await tf.setBackend('tensorflow')) return { problem: null }
    return { problem: `${pkg} loaded but its backend did not initialise` }
  } catch (error) {
    return { problem: `${pkg} not available (${firstLine(error)})` }
  }
}

export interface BackendOptions {
  /** XNNPACK threads if wasm is chosen; else CLAB_WASM_THREADS, else defaultWasmThreads for `model`. */
  wasmThreads?: number
  /** The network the process trains: the U-Net (image data) gets every core on wasm, the 2D MLP one. */
  model?: ModelKind
}

async function tryWasm(options: BackendOptions): Promise<Attempt> {
  try {
    await import('@tensorflow/tfjs-backend-wasm')
    useWasmThreads(options.wasmThreads ?? wasmThreadsFromEnv() ?? defaultWasmThreads(options.model ?? 'mlp'))
    if (await tf.setBackend('wasm')) return { problem: null }
    return { problem: 'wasm backend did not initialise' }
  } catch (error) {
    return { problem: `wasm backend failed (${firstLine(error)})` }
  }
}

async function tryCpu(): Promise<Attempt> {
  return (await tf.setBackend('cpu')) ? { problem: null } : { problem: 'cpu backend did not initialise' }
}

/** `auto` takes a hardware adapter only: a software one (llvmpipe, lavapipe) is slower than wasm. */
const candidates: Record<
  Exclude<BackendChoice, 'auto'>,
  (auto: boolean, options: BackendOptions) => Promise<Attempt>
> = {
  'node-gpu': () => tryNative('@tensorflow/tfjs-node-gpu'),
  webgpu: (auto) => tryWebgpu({ allowSoftware: !auto }),
  node: () => tryNative('@tensorflow/tfjs-node'),
  wasm: (_auto, options) => tryWasm(options),
  cpu: tryCpu,
}

let current: BackendInfo | null = null

/** Selects (once per process per choice) and returns the backend; throws BackendError if an explicit choice fails. */
export async function selectBackend(requested: BackendChoice, options: BackendOptions = {}): Promise<BackendInfo> {
  if (current && (requested === 'auto' || requested === current.name)) return current
  // Quiet tfjs's console advice about tfjs-node; the chosen backend is reported by the caller.
  tf.env().set('PROD', true)
  const auto = requested === 'auto'
  const order = auto ? BACKEND_AUTO_ORDER : [requested]
  const skipped: string[] = []
  for (const name of order) {
    const attempt = await candidates[name](auto, options)
    if (attempt.problem === null) {
      await tf.ready()
      const adapter = attempt.adapter ?? null
      const threading = name === 'wasm' ? wasmThreading() : null
      if (threading?.fallback) skipped.push(`threaded wasm failed, one thread (${threading.fallback})`)
      const wasmThreads = threading?.threads ?? null
      const label = adapter
        ? `${name} (${adapterLabel(adapter)})`
        : wasmThreads && wasmThreads > 1
          ? `${name} (${wasmThreads} threads)`
          : name
      current = { requested, name, tfBackend: tf.getBackend(), adapter, wasmThreads, label, skipped }
      return current
    }
    skipped.push(attempt.problem)
  }
  throw new BackendError(`backend ${requested} is not available: ${skipped.join('; ')}`)
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n')[0] ?? text
}
