/**
 * Samplers, all starting from given noise so teacher and students are compared on identical x_T.
 *   teacher:     DDIM (Euler in sigma space) or Heun over K teacher steps, x_T = sigmaMax z
 *   consistency: one step f(x_T, k_max), then Algorithm 1 of Song et al. 2023 for each extra level k:
 *                x <- f(x + sqrt(sigma_k^2 - sigmaMin^2) z', k)
 *                (the levels should be ones the student was trained on: see nearestLevel)
 */
import { samplerSteps, type NoiseSchedule } from '@shared/cd/schedule'
import type { Solver } from '@shared/config/fields'
import { boundaryScaling, consistency, epsilon, makeLevels, mlpNet, uniformSteps } from './denoiser'
import type { MlpSpec, MlpWeights } from './mlp'
import { tf, type Tensor2D } from './tf'

export interface SampleResult {
  points: Float32Array
  /** Network evaluations per sample. */
  nfe: number
  ms: number
}

export function teacherSample(
  weights: MlpWeights,
  spec: MlpSpec,
  schedule: NoiseSchedule,
  noise: Float32Array,
  numSamplerSteps: number,
  solver: Solver,
): SampleResult {
  const dim = spec.inputDim
  const n = noise.length / dim
  const steps = samplerSteps(schedule.numSteps, numSamplerSteps)
  const sigmaMax = schedule.sigma[schedule.numSteps - 1] as number
  const net = mlpNet(weights)
  const start = performance.now()
  let nfe = 0
  let x = tf.tidy(() => tf.mul(tf.tensor2d(noise, [n, dim]), sigmaMax) as Tensor2D)
  for (let i = 0; i + 1 < steps.length; i++) {
    const hiStep = steps[i] as number
    const loStep = steps[i + 1] as number
    const next = tf.tidy(() => {
      const hi = makeLevels(schedule, uniformSteps(n, hiStep), spec.timeEmbeddingDim)
      const dSigma = (schedule.sigma[loStep] as number) - (schedule.sigma[hiStep] as number)
      const slope = epsilon(net, x, hi)
      const xEuler = tf.add(x, tf.mul(slope, dSigma)) as Tensor2D
      if (solver === 'ddim') return xEuler
      const lo = makeLevels(schedule, uniformSteps(n, loStep), spec.timeEmbeddingDim)
      return tf.add(x, tf.mul(tf.add(slope, epsilon(net, xEuler, lo)), dSigma / 2)) as Tensor2D
    })
    nfe += solver === 'ddim' ? 1 : 2
    x.dispose()
    x = next
  }
  const points = x.dataSync() as Float32Array
  x.dispose()
  return { points, nfe, ms: performance.now() - start }
}

export function consistencySample(
  weights: MlpWeights,
  spec: MlpSpec,
  schedule: NoiseSchedule,
  noise: Float32Array,
  renoise: Float32Array[],
  levels: number[],
  sigmaData: number,
  withBoundary: boolean,
): SampleResult {
  const dim = spec.inputDim
  const n = noise.length / dim
  const sigmaMin = schedule.sigma[0] as number
  const sigmaMax = schedule.sigma[schedule.numSteps - 1] as number
  if (renoise.length < levels.length) throw new Error(`multistep sampling needs ${levels.length} re-noise draws`)
  const net = mlpNet(weights)
  const start = performance.now()
  const at = (x: Tensor2D, step: number): Tensor2D => {
    const levels = makeLevels(schedule, uniformSteps(n, step), spec.timeEmbeddingDim)
    return consistency(net, x, levels, withBoundary ? boundaryScaling(levels, sigmaMin, sigmaData) : null)
  }
  let x = tf.tidy(() => at(tf.mul(tf.tensor2d(noise, [n, dim]), sigmaMax) as Tensor2D, schedule.numSteps - 1))
  levels.forEach((step, i) => {
    const level = schedule.sigma[step] as number
    const scale = Math.sqrt(Math.max(0, level * level - sigmaMin * sigmaMin))
    const next = tf.tidy(() => at(tf.add(x, tf.mul(tf.tensor2d(renoise[i] as Float32Array, [n, dim]), scale)) as Tensor2D, step))
    x.dispose()
    x = next
  })
  const points = x.dataSync() as Float32Array
  x.dispose()
  return { points, nfe: 1 + levels.length, ms: performance.now() - start }
}
