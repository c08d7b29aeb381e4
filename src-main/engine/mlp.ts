/**
 * The epsilon network of teacher and student: an MLP on [x, sinusoidal embedding of the teacher step k]
 * with SiLU activations. Weights are plain tensors passed in, so the same forward serves the teacher
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
}

/** One dense layer's weights: W is [in, out], b is [out]. */
export interface DenseWeights<T extends tf.Tensor = tf.Tensor> {
  W: T
  b: T
}

export type MlpWeights<T extends tf.Tensor = tf.Tensor> = DenseWeights<T>[]

export function layerShapes(spec: MlpSpec): Array<[number, number]> {
  const shapes: Array<[number, number]> = []
  let fanIn = spec.inputDim + spec.timeEmbeddingDim
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

/** eps(x_vp, k): `x` is [B, inputDim], `embedding` is [B, timeEmbeddingDim]. */
export function mlpForward(weights: MlpWeights, x: Tensor2D, embedding: Tensor2D): Tensor2D {
  let h = tf.concat([x, embedding], 1)
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
