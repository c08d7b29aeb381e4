/**
 * Named weight sets as tf.Variables, and their plain-array form for checkpoints. Names follow the
 * layer order: `layer0.W`, `layer0.b`, ...
 */
import { mlpNet, type EpsNet } from './denoiser'
import { tf } from './tf'
import type { MlpWeights } from './mlp'

export interface NamedArray {
  shape: number[]
  data: Float32Array
}

export type WeightArrays = Record<string, NamedArray>

export function weightNames(numLayers: number): string[] {
  const names: string[] = []
  for (let i = 0; i < numLayers; i++) names.push(`layer${i}.W`, `layer${i}.b`)
  return names
}

/**
 * What every model's weights offer the trainers, samplers and checkpoints: named variables in a fixed order
 * (the order of Adam's state and of checkpoint files), copies, EMA updates, and the epsilon network they
 * define. WeightSet (the 2D MLP) and UnetWeightSet (images) implement it.
 */
export interface EpsWeights {
  variables(): tf.Variable[]
  /** Parameter names in variables() order. */
  names(): string[]
  toArrays(): WeightArrays
  copy(trainable: boolean, label: string): EpsWeights
  /** this <- decay * this + (1 - decay) * source, in place (source has the same architecture). */
  emaFrom(source: EpsWeights, decay: number): void
  net(): EpsNet
  dispose(): void
}

/** this <- decay * this + (1 - decay) * source over two same-ordered variable lists. */
export function emaAssign(mine: tf.Variable[], theirs: tf.Variable[], decay: number): void {
  if (mine.length !== theirs.length) throw new Error(`EMA between weight sets of ${mine.length} and ${theirs.length} variables`)
  tf.tidy(() => {
    mine.forEach((v, i) => {
      v.assign(tf.add(tf.mul(v, decay), tf.mul(theirs[i] as tf.Variable, 1 - decay)))
    })
  })
}

/** A set of variables shaped like an MLP. `trainable` marks the student; copies are frozen. */
export class WeightSet implements EpsWeights {
  private constructor(readonly layers: MlpWeights<tf.Variable>) {}

  static fromArrays(arrays: WeightArrays, numLayers: number, trainable: boolean, label: string): WeightSet {
    const layers: MlpWeights<tf.Variable> = []
    for (let i = 0; i < numLayers; i++) {
      const W = arrays[`layer${i}.W`]
      const b = arrays[`layer${i}.b`]
      if (!W || !b) throw new Error(`weights: layer ${i} is missing`)
      layers.push({
        W: variableFrom(W, trainable, `${label}/layer${i}.W`),
        b: variableFrom(b, trainable, `${label}/layer${i}.b`),
      })
    }
    return new WeightSet(layers)
  }

  /** A frozen copy holding the same values (used to initialise target and EMA from the student). */
  copy(trainable: boolean, label: string): WeightSet {
    return WeightSet.fromArrays(this.toArrays(), this.layers.length, trainable, label)
  }

  variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.W, l.b])
  }

  names(): string[] {
    return weightNames(this.layers.length)
  }

  net(): EpsNet {
    return mlpNet(this.layers)
  }

  toArrays(): WeightArrays {
    const out: WeightArrays = {}
    this.layers.forEach((l, i) => {
      out[`layer${i}.W`] = { shape: [...l.W.shape], data: l.W.dataSync() as Float32Array }
      out[`layer${i}.b`] = { shape: [...l.b.shape], data: l.b.dataSync() as Float32Array }
    })
    return out
  }

  /** this <- decay * this + (1 - decay) * source, in place. */
  emaFrom(source: EpsWeights, decay: number): void {
    emaAssign(this.variables(), source.variables(), decay)
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose()
  }
}

/** Variable names must be unique per engine; a counter keeps repeated runs in one process apart. */
let instance = 0

function variableFrom(a: NamedArray, trainable: boolean, name: string): tf.Variable {
  instance += 1
  // tidy disposes the initial tensor; the variable itself survives tidy.
  return tf.tidy(() => tf.variable(tf.tensor(a.data, a.shape), trainable, `${name}#${instance}`))
}
