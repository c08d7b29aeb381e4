/**
 * Compute backend selection, in one place. `auto` tries tfjs-node-gpu, then tfjs-node, then wasm, then
 * cpu. tfjs-node(-gpu) are optional (their install downloads libtensorflow); the wasm and cpu backends
 * are direct dependencies and always present.
 */
import util from 'node:util'
import type { BackendChoice } from '@shared/config/fields'
import { tf } from './tf'

export interface BackendInfo {
  /** What the user asked for. */
  requested: BackendChoice
  /** What runs: `node-gpu`, `node`, `wasm` or `cpu`. */
  name: Exclude<BackendChoice, 'auto'>
  /** tfjs's own backend name (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string
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

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<string | null> {
  applyNodeUtilShim()
  try {
    await import(/* @vite-ignore */ pkg)
    if (await tf.setBackend('tensorflow')) return null
    return `${pkg} loaded but its backend did not initialise`
  } catch (error) {
    return `${pkg} not available (${firstLine(error)})`
  }
}

async function tryWasm(): Promise<string | null> {
  try {
    await import('@tensorflow/tfjs-backend-wasm')
    if (await tf.setBackend('wasm')) return null
    return 'wasm backend did not initialise'
  } catch (error) {
    return `wasm backend failed (${firstLine(error)})`
  }
}

async function tryCpu(): Promise<string | null> {
  return (await tf.setBackend('cpu')) ? null : 'cpu backend did not initialise'
}

const candidates: Record<Exclude<BackendChoice, 'auto'>, () => Promise<string | null>> = {
  'node-gpu': () => tryNative('@tensorflow/tfjs-node-gpu'),
  node: () => tryNative('@tensorflow/tfjs-node'),
  wasm: tryWasm,
  cpu: tryCpu,
}

const AUTO_ORDER: Array<Exclude<BackendChoice, 'auto'>> = ['node-gpu', 'node', 'wasm', 'cpu']

let current: BackendInfo | null = null

/** Selects (once per process per choice) and returns the backend; throws BackendError if an explicit choice fails. */
export async function selectBackend(requested: BackendChoice): Promise<BackendInfo> {
  if (current && (requested === 'auto' || requested === current.name)) return current
  // Quiet tfjs's console advice about tfjs-node; the chosen backend is reported by the caller.
  tf.env().set('PROD', true)
  const order = requested === 'auto' ? AUTO_ORDER : [requested]
  const skipped: string[] = []
  for (const name of order) {
    const problem = await candidates[name]()
    if (problem === null) {
      await tf.ready()
      current = { requested, name, tfBackend: tf.getBackend(), skipped }
      return current
    }
    skipped.push(problem)
  }
  throw new BackendError(`backend ${requested} is not available: ${skipped.join('; ')}`)
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n')[0] ?? text
}
