/**
 * Adam (Kingma & Ba) in PyTorch's form. Written out rather than tf.train.adam because a checkpoint must
 * restore the optimizer exactly: tfjs rebuilds its bias-correction accumulators with pow() on restore,
 * while a running optimizer multiplies them step by step, so a resumed run would drift from an
 * uninterrupted one. Here the step count is the whole state besides the moments, and the corrections
 * are computed from it in float64 on every step.
 *
 * Both moments of all parameters live in one flat buffer each, and a step updates them and the parameters
 * as one long vector (flat-vars.ts): per parameter, the update was 13 kernels, 1,352 of the 2,715 kernels of a
 * U-Net teacher step on webgpu (bench/kernel-profile.ts). The checkpoint still stores the moments per name.
 */
import { assignFromFlat, flatten } from './flat-vars'
import { tf } from './tf'
import type { WeightArrays } from './weights'

export interface AdamState {
  step: number
  firstMoment: WeightArrays
  secondMoment: WeightArrays
}

export class Adam {
  private step = 0
  /** Values per parameter, in params order: where each one's moments lie in the flat buffers. */
  private readonly sizes: number[]
  /** Both moments of every parameter, end to end in params order (see the file comment on why flat). */
  private readonly m: tf.Variable
  private readonly v: tf.Variable

  constructor(
    private readonly params: tf.Variable[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.sizes = params.map((p) => p.size)
    const total = this.sizes.reduce((a, b) => a + b, 0)
    // In a tidy: the zeros each variable starts from would otherwise stay registered (2 tensors per Adam).
    this.m = tf.tidy(() => tf.variable(tf.zeros([total]), false))
    this.v = tf.tidy(() => tf.variable(tf.zeros([total]), false))
  }

  get steps(): number {
    return this.step
  }

  /** Applies one update with learning rate `lr`; `grads` align with the params given to the constructor. */
  apply(grads: tf.Tensor[], lr: number): void {
    this.step += 1
    if (this.params.length === 0) return
    if (grads.length !== this.params.length)
      throw new Error(`adam: ${grads.length} gradients for ${this.params.length} parameters`)
    const biasCorrection1 = 1 - this.beta1 ** this.step
    const biasCorrection2 = 1 - this.beta2 ** this.step
    const stepSize = lr / biasCorrection1
    const sqrtBias2 = Math.sqrt(biasCorrection2)
    tf.tidy(() => {
      // Elementwise, so the same operations on one long vector give every value exactly what the per-parameter
      // form gave it, in 16 kernels instead of 13 per parameter.
      const g = flatten(grads)
      const m = this.m
      const v = this.v
      m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)))
      v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)))
      const denom = tf.add(tf.div(tf.sqrt(v), sqrtBias2), this.epsilon)
      assignFromFlat(this.params, tf.sub(flatten(this.params), tf.mul(tf.div(m, denom), stepSize)))
    })
  }

  /** The moments per parameter, by `names` (params order): the checkpoint format of the per-parameter form. */
  async save(names: string[]): Promise<AdamState> {
    const [m, v] = (await Promise.all([this.m.data(), this.v.data()])) as [Float32Array, Float32Array]
    const pack = (flatValues: Float32Array): WeightArrays => {
      const out: WeightArrays = {}
      let at = 0
      this.params.forEach((p, i) => {
        const size = this.sizes[i] as number
        out[names[i] as string] = { shape: [...p.shape], data: flatValues.slice(at, at + size) }
        at += size
      })
      return out
    }
    return { step: this.step, firstMoment: pack(m), secondMoment: pack(v) }
  }

  restore(state: AdamState, names: string[]): void {
    const load = (target: tf.Variable, arrays: WeightArrays, what: string) => {
      const values = new Float32Array(target.size)
      let at = 0
      this.params.forEach((p, i) => {
        const a = arrays[names[i] as string]
        if (!a || a.data.length !== p.size)
          throw new Error(`optimizer state: ${what} of ${names[i]} is missing or mis-shaped`)
        values.set(a.data, at)
        at += p.size
      })
      return values
    }
    // Both are checked before either is written, so a refused state leaves the optimizer as it was.
    const m = load(this.m, state.firstMoment, 'first moment')
    const v = load(this.v, state.secondMoment, 'second moment')
    this.step = state.step
    tf.tidy(() => {
      this.m.assign(tf.tensor1d(m))
      this.v.assign(tf.tensor1d(v))
    })
  }

  dispose(): void {
    this.m.dispose()
    this.v.dispose()
  }
}

/**
 * One optimisation step inside a tf.tidy: differentiates `lossFn` with respect to `vars`, applies Adam, and
 * returns the loss tensor (kept by tidy). Nothing is read back here: the caller reads the loss a few steps
 * later (loss-reader.ts), where a non-finite one stops the run.
 */
export function minimize(adam: Adam, vars: tf.Variable[], lossFn: () => tf.Scalar, lr: number): tf.Scalar {
  const { value, grads } = tf.variableGrads(lossFn, vars)
  adam.apply(
    vars.map((v) => grads[v.name] as tf.Tensor),
    lr,
  )
  return value
}

/** Re-exported: the formula lives in @shared so the run form previews the same schedule. */
export { learningRateAt } from '@shared/cd/training-schedules'
