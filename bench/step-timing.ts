/**
 * Timing training steps whose losses are read a few steps late (engine/loss-reader.ts): the clock stops only
 * after every timed step's loss is read, so queued device work is inside the figure. And what one step costs
 * the device: how many kernels it launches and, where the backend has timestamps (tfjs-webgpu with the
 * timestamp-query feature, tfjs-node), their time.
 */
import { isComposedKernel } from '../src-main/engine/conv-kernels'
import { tf } from '../src-main/engine/tf'

export interface Steppable {
  trainStep(): Promise<unknown[]>
  settle(): Promise<unknown[]>
}

/** Mean ms per step over `steps` steps after `warmup` untimed ones. */
export async function timeSteps(trainee: Steppable, steps: number, warmup = Math.min(10, steps)): Promise<number> {
  for (let i = 0; i < warmup; i++) await trainee.trainStep()
  await trainee.settle()
  const start = performance.now()
  for (let i = 0; i < steps; i++) await trainee.trainStep()
  await trainee.settle()
  return (performance.now() - start) / steps
}

export interface StepKernels {
  /** Every kernel tf.profile lists, wrappers and views included. */
  kernels: number
  /** Those that do device work of their own (see launchesWork): what a GPU step pays per launch. */
  launches: number
  /** Device time of those kernels, null where the backend cannot time them. */
  kernelMs: number | null
}

/** Kernels one step launches, and their device time where the backend reports it. */
export async function stepKernels(trainee: Steppable): Promise<StepKernels> {
  await trainee.settle()
  const profile = await tf.profile(async () => {
    await trainee.trainStep()
  })
  await trainee.settle()
  const backend = tf.getBackend()
  return {
    kernels: profile.kernels.length,
    launches: profile.kernels.filter((k) => launchesWork(k.name, backend)).length,
    kernelMs: await deviceMs(trainee),
  }
}

/** Kernels that relabel a buffer: no device work on any backend (tfjs-webgpu shares the buffer). */
const VIEWS = new Set(['Reshape', 'Identity'])

/**
 * Whether a kernel tf.profile lists does device work itself. It lists views (Reshape), the scopes of custom
 * gradients and fused ops (`forward`, `fusedConv2d__op`: no registered kernel of that name) and kernels
 * this engine builds from other kernels (conv-kernels.ts), whose inner kernels it lists as well.
 */
export function launchesWork(kernelName: string, backendName: string): boolean {
  return (
    !VIEWS.has(kernelName) &&
    tf.getKernel(kernelName, backendName) !== undefined &&
    !isComposedKernel(kernelName, backendName)
  )
}

async function deviceMs(trainee: Steppable): Promise<number | null> {
  try {
    // tf.time runs the step's kernels synchronously (trainStep queues them before its first await).
    let pending: Promise<unknown> = Promise.resolve()
    const timing = await tf.time(() => {
      pending = trainee.trainStep()
    })
    await pending
    await trainee.settle()
    const ms = timing.kernelMs as number | { error: string }
    return typeof ms === 'number' && ms > 0 ? ms : null
  } catch {
    return null
  }
}

/** `1691 kernels (1004 launches), 12.3 ms device`: how the benches print a StepKernels. */
export function kernelText(k: StepKernels | null): string {
  if (k === null) return 'not measured'
  const device = k.kernelMs === null ? '' : `, ${k.kernelMs.toFixed(1)} ms device`
  return `${k.kernels} kernels (${k.launches} launches)${device}`
}

/** "1 thread", "2 threads": how many threads a CD step ran on, for the printed lines. */
export function threadsText(n: number): string {
  return `${n} thread${n === 1 ? '' : 's'}`
}
