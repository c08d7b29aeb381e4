/**
 * The epsilon network of teacher and student: an MLP on [x, Fourier features of x, sinusoidal embedding of
 * the teacher step k] with SiLU activations. The Fourier features (sin and cos of x at fixed geometric
 * frequencies, Tancik et al. 2020) let the MLP draw sharp edges: without them its spectral bias fills the
 * checkerboard's empty squares and the gap between the moons (issue 17). Zero features is the MLP as before. Weights are plain tensors passed in, so the same forward serves the teacher
 * (frozen), the student (trainable variables), the target and the evaluation EMA.
 */
import { Rng } from '@shared/rng'
import { dense, denseOnData, silu } from './ops'
import { tf, type Tensor1D, type Tensor2D } from './tf'

export interface MlpSpec {
  inputDim: number
  hiddenWidth: number
  hiddenDepth: number
  timeEmbeddingDim: number
  /** Frequencies per input coordinate (0: none); each gives a sin and a cos feature. */
  fourierFeatures: number
  /** The highest frequency; the lowest is 1, those between geometric. */
  fourierMaxFrequency: number
}

/** One dense layer's weights: W is [in, out], b is [out]. */
export interface DenseWeights<T extends tf.Tensor = tf.Tensor> {
  W: T
  b: T
}

export type MlpWeights<T extends tf.Tensor = tf.Tensor> = DenseWeights<T>[]

export function layerShapes(spec: MlpSpec): Array<[number, number]> {
  const shapes: Array<[number, number]> = []
  let fanIn = spec.inputDim + fourierWidth(spec) + spec.timeEmbeddingDim
  for (let i = 0; i < spec.hiddenDepth; i++) {
    shapes.push([fanIn, spec.hiddenWidth])
    fanIn = spec.hiddenWidth
  }
  shapes.push([fanIn, spec.inputDim])
  return shapes
}

/** He-style initialisation from the seeded generator (deterministic on every backend). */
export function initialWeights(
  spec: MlpSpec,
  rng: Rng,
): Array<{ W: Float32Array; b: Float32Array; shape: [number, number] }> {
  return layerShapes(spec).map(([fanIn, fanOut], i, all) => {
    const last = i === all.length - 1
    const scale = last ? 0 : Math.sqrt(2 / fanIn)
    const W = rng.normals(fanIn * fanOut).map((v) => v * scale)
    return { W, b: new Float32Array(fanOut), shape: [fanIn, fanOut] }
  })
}

/**
 * Sinusoidal embedding of a (possibly fractional) step index: [sin(k w_j), cos(k w_j)] with
 * w_j = 10000^(-j / half), j = 0..half-1 (the Transformer/DDPM embedding).
 */
export function timeEmbedding(steps: ArrayLike<number>, dim: number): Float32Array {
  const half = dim / 2
  const out = new Float32Array(steps.length * dim)
  for (let i = 0; i < steps.length; i++) {
    const k = steps[i] as number
    for (let j = 0; j < half; j++) {
      const angle = k * Math.exp((-Math.log(10000) * j) / half)
      out[i * dim + j] = Math.sin(angle)
      out[i * dim + half + j] = Math.cos(angle)
    }
  }
  return out
}

/** Columns the Fourier features add to the first layer's input. */
export function fourierWidth(spec: Pick<MlpSpec, 'inputDim' | 'fourierFeatures'>): number {
  return 2 * spec.fourierFeatures * spec.inputDim
}

/** The n frequencies 1 ... maxFrequency, geometric (one frequency, 1, when n is 1). */
export function fourierFrequencies(n: number, maxFrequency: number): Float32Array {
  const out = new Float32Array(n)
  for (let j = 0; j < n; j++) out[j] = n === 1 ? 1 : maxFrequency ** (j / (n - 1))
  return out
}

/** The Fourier features of a network: a [inputDim, inputDim * n] matrix of frequencies, or none. */
export interface FourierFeatures {
  /** Row d holds coordinate d's frequencies in its own n columns (zeros elsewhere): x B is every x_d f_j. */
  projection: Float32Array
  inputDim: number
  count: number
}

export function fourierFeaturesOf(spec: MlpSpec): FourierFeatures | null {
  const n = spec.fourierFeatures
  if (n === 0) return null
  const freqs = fourierFrequencies(n, spec.fourierMaxFrequency)
  const d = spec.inputDim
  const projection = new Float32Array(d * d * n)
  for (let i = 0; i < d; i++) projection.set(freqs, i * d * n + i * n)
  return { projection, inputDim: d, count: n }
}

/** [B, inputDim] -> [B, 2 inputDim n]: sin(x_d f_j) for every d, j, then the cosines in the same order. */
export function fourierFeatureColumns(x: Tensor2D, features: FourierFeatures): Tensor2D {
  return tf.tidy(() => {
    const cols = features.inputDim * features.count
    const angles = tf.matMul(x, tf.tensor2d(features.projection, [features.inputDim, cols]))
    return tf.concat([tf.sin(angles), tf.cos(angles)], 1) as Tensor2D
  })
}

/**
 * eps(x_vp, k): `x` is [B, inputDim], `embedding` is [B, timeEmbeddingDim]; `fourier` (if any) adds the
 * Fourier features of x between the two.
 */
export function mlpForward(
  weights: MlpWeights,
  x: Tensor2D,
  embedding: Tensor2D,
  fourier: FourierFeatures | null = null,
): Tensor2D {
  let h = fourier ? tf.concat([x, fourierFeatureColumns(x, fourier), embedding], 1) : tf.concat([x, embedding], 1)
  weights.forEach((layer, i) => {
    // The first layer's input is data and time embedding: nothing trainable lies behind it.
    h = (i === 0 ? denseOnData : dense)(h, layer.W as Tensor2D, layer.b as Tensor1D)
    if (i < weights.length - 1) h = silu(h)
  })
  return h
}

export function countParameters(spec: MlpSpec): number {
  return layerShapes(spec).reduce((n, [a, b]) => n + a * b + b, 0)
}
