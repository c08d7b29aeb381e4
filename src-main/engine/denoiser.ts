/**
 * The epsilon network seen from VE ("sigma") coordinates, at per-example teacher steps k.
 *   eps(x_ve, k)  = net(x_ve / sqrt(1 + sigma_k^2), k)
 *   D(x_ve, k)    = x_ve - sigma_k eps(x_ve, k)                     (teacher denoiser, ALGORITHM.md)
 *   f(x_ve, k)    = cSkip(sigma_k) x_ve + cOut(sigma_k) D(x_ve, k)  (student with exact boundary)
 *
 * `net` is any epsilon network on flat rows [B, D] with a time embedding [B, E]: the 2D MLP (`mlpNet`), or
 * an image model on flattened images, so levels, scalings, losses and samplers serve every model.
 */
import { cIn, cOut, cSkip } from '@shared/cd/scalings'
import type { NoiseSchedule } from '@shared/cd/schedule'
import { mlpForward, timeEmbedding, type FourierFeatures, type MlpWeights } from './mlp'
import { tf, type Tensor2D } from './tf'

/** Per-example conditioning for a batch at teacher steps `steps`, as [B, 1] columns. */
export interface Levels {
  steps: Int32Array
  sigma: Float32Array
  sigmaColumn: Tensor2D
  inputScale: Tensor2D
  embedding: Tensor2D
}

export function makeLevels(schedule: NoiseSchedule, steps: Int32Array, embeddingDim: number): Levels {
  const n = steps.length
  const sigma = new Float32Array(n)
  const inputScale = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const s = schedule.sigma[steps[i] as number] as number
    sigma[i] = s
    inputScale[i] = cIn(s)
  }
  return {
    steps,
    sigma,
    sigmaColumn: tf.tensor2d(sigma, [n, 1]),
    inputScale: tf.tensor2d(inputScale, [n, 1]),
    embedding: tf.tensor2d(timeEmbedding(steps, embeddingDim), [n, embeddingDim]),
  }
}

/** All batch rows at one step. */
export function uniformSteps(n: number, step: number): Int32Array {
  return new Int32Array(n).fill(step)
}

/** An epsilon network: scaled inputs [B, D] and their time embedding [B, E] -> epsilon [B, D]. */
export type EpsNet = (x: Tensor2D, embedding: Tensor2D) => Tensor2D

/** The 2D MLP as an EpsNet. */
export function mlpNet(weights: MlpWeights, fourier: FourierFeatures | null = null): EpsNet {
  return (x, embedding) => mlpForward(weights, x, embedding, fourier)
}

export function epsilon(net: EpsNet, x: Tensor2D, levels: Levels): Tensor2D {
  return net(tf.mul(x, levels.inputScale), levels.embedding)
}

export function denoise(net: EpsNet, x: Tensor2D, levels: Levels): Tensor2D {
  return tf.sub(x, tf.mul(levels.sigmaColumn, epsilon(net, x, levels)))
}

/** How a network's output is turned into a consistency function. */
export type Parameterization = 'boundary' | 'x0-from-eps'

export interface BoundaryScaling {
  skip: Tensor2D
  out: Tensor2D
}

export function boundaryScaling(levels: Levels, sigmaMin: number, sigmaData: number): BoundaryScaling {
  const n = levels.sigma.length
  const skip = new Float32Array(n)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const s = levels.sigma[i] as number
    skip[i] = cSkip(s, sigmaMin, sigmaData)
    out[i] = cOut(s, sigmaMin, sigmaData)
  }
  return { skip: tf.tensor2d(skip, [n, 1]), out: tf.tensor2d(out, [n, 1]) }
}

/**
 * The consistency function. `boundary`: cSkip x + cOut D, exactly x at sigmaMin. `x0-from-eps`: the
 * walkthrough's get_x0_from_epsilon, which in VE coordinates is D itself (no boundary condition).
 */
export function consistency(net: EpsNet, x: Tensor2D, levels: Levels, scaling: BoundaryScaling | null): Tensor2D {
  const d = denoise(net, x, levels)
  if (!scaling) return d
  return tf.add(tf.mul(scaling.skip, x), tf.mul(scaling.out, d))
}
