/**
 * Samplers, all starting from given noise so teacher and students are compared on identical x_T.
 *   teacher:     DDIM (Euler in sigma space) or Heun over K teacher steps, x_T = sigmaMax z (the step
 *                CD's training targets take: teacher-ode.ts); the last hop is an Euler step to sigma 0, the
 *                denoiser's x0 (samplerSteps says why)
 *   consistency: one step f(x_T, k_top) from x_T = sigma[k_top] z at the top of the student's grid (the
 *                teacher's last step unless the run set sigmaMax; same z as the teacher's), then
 *                Algorithm 1 of Song et al. 2023 for each extra level k:
 *                x <- f(x + sqrt(sigma_k^2 - sigmaMin^2) z', k)
 *                (the levels should be ones the student was trained on: see nearestLevel)
 * Rows go through the network `architecture.sampleChunk` at a time (all at once for the MLP); each row's
 * result does not depend on the others. Results are read with `await data()` (no synchronous read: webgpu
 * under Node has none), one chunk's read overlapping the next chunk's work.
 */
import { samplerSteps, type NoiseSchedule } from '@shared/cd/schedule'
import type { Solver } from '@shared/config/fields'
import type { Architecture } from './architecture'
import { boundaryScaling, consistency, denoise, makeLevels, uniformSteps, type EpsNet } from './denoiser'
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

/**
 * Runs `sampleRows` over consecutive row ranges of at most `chunk` rows and joins the results. Each chunk's
 * read starts as soon as its tensor is queued, so the device works on the next chunk meanwhile.
 */
async function inChunks(
  n: number,
  dim: number,
  chunk: number,
  sampleRows: (start: number, rows: number) => tf.Tensor,
): Promise<Float32Array> {
  if (n <= chunk) return readAndDispose(sampleRows(0, n))
  const out = new Float32Array(n * dim)
  const reads: Array<Promise<void>> = []
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start)
    const at = start * dim
    reads.push(readAndDispose(sampleRows(start, rows)).then((values) => out.set(values, at)))
  }
  await Promise.all(reads)
  return out
}

async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    // slice(): on the cpu backend data() hands out the tensor's own buffer.
    return ((await t.data()) as Float32Array).slice()
  } finally {
    t.dispose()
  }
}

export async function teacherSample(
  weights: EpsWeights,
  shape: SamplingShape,
  schedule: NoiseSchedule,
  noise: Float32Array,
  numSamplerSteps: number,
  solver: Solver,
): Promise<SampleResult> {
  const dim = shape.dim
  const n = noise.length / dim
  const steps = samplerSteps(schedule.numSteps, numSamplerSteps)
  const sigmaMax = schedule.sigma[schedule.numSteps - 1] as number
  const net = weights.net()
  const start = performance.now()
  const points = await inChunks(n, dim, shape.sampleChunk, (first, rows) =>
    teacherRows(net, shape, schedule, noise.subarray(first * dim, (first + rows) * dim), rows, steps, sigmaMax, solver),
  )
  // Heun's correction needs the slope at the cleaner end: none at sigma 0, so the last hop is Euler (EDM's rule).
  const nfe = (steps.length - 1) * evaluationsPerStep(solver) + 1
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
): Tensor2D {
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
  const last = steps[steps.length - 1] as number
  const clean = tf.tidy(() => denoise(net, x, makeLevels(schedule, uniformSteps(n, last), shape.timeEmbeddingDim)))
  x.dispose()
  return clean
}

export async function consistencySample(
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
): Promise<SampleResult> {
  const dim = shape.dim
  const n = noise.length / dim
  if (renoise.length < levels.length) throw new Error(`multistep sampling needs ${levels.length} re-noise draws`)
  const net = weights.net()
  const start = performance.now()
  const points = await inChunks(n, dim, shape.sampleChunk, (first, rows) =>
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
): Tensor2D {
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
  return x
}
