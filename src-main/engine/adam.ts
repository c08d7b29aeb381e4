/**
 * Adam (Kingma & Ba) in PyTorch's form. Written out rather than tf.train.adam because a checkpoint must
 * restore the optimizer exactly: tfjs rebuilds its bias-correction accumulators with pow() on restore,
 * while a running optimizer multiplies them step by step, so a resumed run would drift from an
 * uninterrupted one. Here the step count is the whole state besides the moments, and the corrections
 * are computed from it in float64 on every step.
 */
import { tf } from './tf'
import type { WeightArrays } from './weights'

export interface AdamState {
  step: number
  firstMoment: WeightArrays
  secondMoment: WeightArrays
}

export class Adam {
  private step = 0
  private readonly m: tf.Variable[]
  private readonly v: tf.Variable[]

  constructor(
    private readonly params: tf.Variable[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)))
    this.v = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)))
  }

  get steps(): number {
    return this.step
  }

  /** Applies one update with learning rate `lr`; `grads` align with the params given to the constructor. */
  apply(grads: tf.Tensor[], lr: number): void {
    this.step += 1
    const biasCorrection1 = 1 - this.beta1 ** this.step
    const biasCorrection2 = 1 - this.beta2 ** this.step
    const stepSize = lr / biasCorrection1
    const sqrtBias2 = Math.sqrt(biasCorrection2)
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[i] as tf.Tensor
        const m = this.m[i] as tf.Variable
        const v = this.v[i] as tf.Variable
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)))
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)))
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBias2), this.epsilon)
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)))
      })
    })
  }

  async save(names: string[]): Promise<AdamState> {
    const pack = async (vars: tf.Variable[]): Promise<WeightArrays> => {
      const datas = await Promise.all(vars.map((t) => t.data() as Promise<Float32Array>))
      return Object.fromEntries(
        vars.map((t, i) => [names[i] as string, { shape: [...t.shape], data: datas[i] as Float32Array }]),
      )
    }
    return { step: this.step, firstMoment: await pack(this.m), secondMoment: await pack(this.v) }
  }

  restore(state: AdamState, names: string[]): void {
    this.step = state.step
    const load = (vars: tf.Variable[], arrays: WeightArrays, what: string) =>
      vars.forEach((t, i) => {
        const a = arrays[names[i] as string]
        if (!a || a.data.length !== t.size)
          throw new Error(`optimizer state: ${what} of ${names[i]} is missing or mis-shaped`)
        tf.tidy(() => t.assign(tf.tensor(a.data, t.shape)))
      })
    load(this.m, state.firstMoment, 'first moment')
    load(this.v, state.secondMoment, 'second moment')
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose()
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
