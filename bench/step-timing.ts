/**
 * Timing training steps whose losses are read a few steps late (engine/loss-reader.ts): the clock stops only
 * after every timed step's loss is read, so queued device work is inside the figure. And what one step costs
 * the device: how many kernels it launches and, where the backend has timestamps (tfjs-webgpu with the
 * timestamp-query feature, tfjs-node), their time.
 */
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
  kernels: number
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
  return { kernels: profile.kernels.length, kernelMs: await deviceMs(trainee) }
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
