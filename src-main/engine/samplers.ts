/**
 * Samplers, all starting from given noise so teacher and students are compared on identical x_T.
 *   teacher:     DDIM (Euler in sigma space) or Heun over K teacher steps, x_T = sigmaMax z (the step
 *                CD's training targets take: teacher-ode.ts)
 *   consistency: one step f(x_T, k_top) from x_T = sigma[k_top] z at the top of the student's grid (the
 *                teacher's last step unless the run set sigmaMax; same z as the teacher's), then
 *                Algorithm 1 of Song et al. 2023 for each extra level k:
 *                x <- f(x + sqrt(sigma_k^2 - sigmaMin^2) z', k)
 *                (the levels should be ones the student was trained on: see nearestLevel)
 * Rows go through the network `architecture.sampleChunk` at a time (all at once for the MLP); each row's
 * result does not depend on the others.
 */
import { samplerSteps, type NoiseSchedule } from '@shared/cd/schedule'
import type { Solver } from '@shared/config/fields'
import type { Architecture } from './architecture'
import { boundaryScaling, consistency, makeLevels, uniformSteps, type EpsNet } from './denoiser'
import { evaluationsPerStep, odeStep, sharedHop } from './teacher-ode'
import { tf, type Tensor2D } from './tf'
import type { EpsWeights } from './weights'

export interface SampleResult {
  points: Float32Array
  /** Network evaluations per sample. */
  nfe: number
  ms: number
}

/** The shape facts a sampler needs about the network. */
export type SamplingShape = Pick<Architecture, 'dim' | 'timeEmbeddingDim' | 'sampleChunk'>

/** Runs `sampleRows` over consecutive row ranges of at most `chunk` rows and joins the results. */
function inChunks(
  n: number,
  dim: number,
  chunk: number,
  sampleRows: (start: number, rows: number) => Float32Array,
): Float32Array {
  if (n <= chunk) return sampleRows(0, n)
  const out = new Float32Array(n * dim)
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start)
    out.set(sampleRows(start, rows), start * dim)
  }
  return out
}

export function teacherSample(
  weights: EpsWeights,
  shape: SamplingShape,
  schedule: NoiseSchedule,
  noise: Float32Array,
  numSamplerSteps: number,
  solver: Solver,
): SampleResult {
  const dim = shape.dim
  const n = noise.length / dim
  const steps = samplerSteps(schedule.numSteps, numSamplerSteps)
  const sigmaMax = schedule.sigma[schedule.numSteps - 1] as number
  const net = weights.net()
  const start = performance.now()
  const points = inChunks(n, dim, shape.sampleChunk, (first, rows) =>
    teacherRows(net, shape, schedule, noise.subarray(first * dim, (first + rows) * dim), rows, steps, sigmaMax, solver),
  )
  const nfe = (steps.length - 1) * evaluationsPerStep(solver)
  return { points, nfe, ms: performance.now() - start }
}

function teacherRows(
  net: EpsNet,
  shape: SamplingShape,
  schedule: NoiseSchedule,
  noise: Float32Array,
  n: number,
  steps: number[],
  sigmaMax: number,
  solver: Solver,
): Float32Array {
  const dim = shape.dim
  let x = tf.tidy(() => tf.mul(tf.tensor2d(noise, [n, dim]), sigmaMax) as Tensor2D)
  for (let i = 0; i + 1 < steps.length; i++) {
    const next = tf.tidy(() =>
      odeStep(
        net,
        x,
        sharedHop(schedule, n, steps[i] as number, steps[i + 1] as number, shape.timeEmbeddingDim),
        solver,
      ),
    )
    x.dispose()
    x = next
  }
  const points = x.dataSync() as Float32Array
  x.dispose()
  return points
}

export function consistencySample(
  weights: EpsWeights,
  shape: SamplingShape,
  schedule: NoiseSchedule,
  noise: Float32Array,
  renoise: Float32Array[],
  levels: number[],
  sigmaData: number,
  withBoundary: boolean,
  /** The teacher step of the first step: the top of the grid the student was trained on. */
  topStep: number,
): SampleResult {
  const dim = shape.dim
  const n = noise.length / dim
  if (renoise.length < levels.length) throw new Error(`multistep sampling needs ${levels.length} re-noise draws`)
  const net = weights.net()
  const start = performance.now()
  const points = inChunks(n, dim, shape.sampleChunk, (first, rows) =>
    consistencyRows(
      net,
      shape,
      schedule,
      noise.subarray(first * dim, (first + rows) * dim),
      renoise.map((r) => r.subarray(first * dim, (first + rows) * dim)),
      rows,
      levels,
      sigmaData,
      withBoundary,
      topStep,
    ),
  )
  return { points, nfe: 1 + levels.length, ms: performance.now() - start }
}

function consistencyRows(
  net: EpsNet,
  shape: SamplingShape,
  schedule: NoiseSchedule,
  noise: Float32Array,
  renoise: Float32Array[],
  n: number,
  levels: number[],
  sigmaData: number,
  withBoundary: boolean,
  topStep: number,
): Float32Array {
  const dim = shape.dim
  const sigmaMin = schedule.sigma[0] as number
  const sigmaMax = schedule.sigma[topStep] as number
  const at = (x: Tensor2D, step: number): Tensor2D => {
    const stepLevels = makeLevels(schedule, uniformSteps(n, step), shape.timeEmbeddingDim)
    return consistency(net, x, stepLevels, withBoundary ? boundaryScaling(stepLevels, sigmaMin, sigmaData) : null)
  }
  let x = tf.tidy(() => at(tf.mul(tf.tensor2d(noise, [n, dim]), sigmaMax) as Tensor2D, topStep))
  levels.forEach((step, i) => {
    const level = schedule.sigma[step] as number
    const scale = Math.sqrt(Math.max(0, level * level - sigmaMin * sigmaMin))
    const next = tf.tidy(() =>
      at(tf.add(x, tf.mul(tf.tensor2d(renoise[i] as Float32Array, [n, dim]), scale)) as Tensor2D, step),
    )
    x.dispose()
    x = next
  })
  const points = x.dataSync() as Float32Array
  x.dispose()
  return points
}
