/**
 * The webgpu backend under Node / Electron's utilityProcess: Dawn from the `webgpu` package exposed as
 * `navigator.gpu` (which tfjs-backend-webgpu looks for when it is imported), then tfjs-backend-webgpu.
 * tfjs's synchronous reads need OffscreenCanvas, absent here: the engine reads with `await data()` only.
 */
import { registerConvGradientKernels } from './conv-kernels'
import { tf } from './tf'

/** The adapter a webgpu run got, as recorded with the run. */
export interface AdapterInfo {
  vendor: string
  architecture: string
  device: string
  description: string
  /** A CPU implementation (llvmpipe / lavapipe, SwiftShader): correct but slow. */
  software: boolean
}

export function adapterLabel(a: AdapterInfo): string {
  const name = [a.vendor, a.device || a.description].filter((s) => s.length > 0).join(' ')
  return `${name || 'unknown adapter'}, ${a.software ? 'software' : 'hardware'}`
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>
}
interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }
  isFallbackAdapter?: boolean
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|softpipe|warp/i

export function describeAdapter(adapter: AdapterLike): AdapterInfo {
  const info = adapter.info ?? {}
  const vendor = info.vendor ?? ''
  const architecture = info.architecture ?? ''
  const device = info.device ?? ''
  const description = info.description ?? ''
  const software =
    architecture === 'software' ||
    info.isFallbackAdapter === true ||
    adapter.isFallbackAdapter === true ||
    SOFTWARE_NAMES.test(`${device} ${description}`)
  return { vendor, architecture, device, description, software }
}

let gpu: GpuLike | null = null

/** Dawn's GPU object, made once per process and exposed as navigator.gpu. */
async function dawn(): Promise<GpuLike> {
  if (gpu) return gpu
  const { create, globals } = (await import('webgpu')) as unknown as {
    create: (flags: string[]) => GpuLike
    globals: Record<string, unknown>
  }
  // GPUBufferUsage, GPUMapMode, ...: tfjs-backend-webgpu reads them as globals.
  Object.assign(globalThis, globals)
  const made = create([])
  const g = globalThis as { navigator?: object }
  if (!g.navigator) g.navigator = {}
  Object.defineProperty(g.navigator, 'gpu', { value: made, configurable: true })
  gpu = made
  return made
}

/** The adapter Dawn offers (the one tfjs-backend-webgpu will open), or why there is none. */
export async function probeAdapter(): Promise<AdapterInfo | string> {
  try {
    const adapter = await (await dawn()).requestAdapter({ powerPreference: 'high-performance' })
    return adapter ? describeAdapter(adapter) : 'webgpu: no adapter (no Vulkan / Metal / D3D12 driver found)'
  } catch (error) {
    return `webgpu not available (${firstLineOf(error)})`
  }
}

export async function tryWebgpu(options: {
  allowSoftware: boolean
}): Promise<{ problem: string } | { problem: null; adapter: AdapterInfo }> {
  const adapter = await probeAdapter()
  if (typeof adapter === 'string') return { problem: adapter }
  if (adapter.software && !options.allowSoftware)
    return { problem: `webgpu: only a software adapter (${adapterLabel(adapter)}); ask for backend webgpu to use it` }
  try {
    await import('@tensorflow/tfjs-backend-webgpu')
    // Importing it registered its own kernels over ours: put the fast conv filter gradient back.
    registerConvGradientKernels()
    if (!(await tf.setBackend('webgpu'))) return { problem: 'webgpu backend did not initialise' }
    return { problem: null, adapter }
  } catch (error) {
    return { problem: `webgpu backend failed (${firstLineOf(error)})` }
  }
}

function firstLineOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n')[0] ?? text
}
