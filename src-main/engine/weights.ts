/**
 * Named weight sets as tf.Variables, and their plain-array form for checkpoints. Names follow the
 * layer order: `layer0.W`, `layer0.b`, ...
 */
import { mlpNet, type EpsNet } from './denoiser'
import { assignFromFlat, flatten } from './flat-vars'
import { tf } from './tf'
import type { FourierFeatures, MlpWeights } from './mlp'

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
  /** The values, read from the device (checkpoints, files, another thread). */
  toArrays(): Promise<WeightArrays>
  /** A copy made on the device: nothing is read back. */
  copy(trainable: boolean, label: string): EpsWeights
  /** this <- decay * this + (1 - decay) * source, in place (source has the same architecture). */
  emaFrom(source: EpsWeights, decay: number): void
  net(): EpsNet
  dispose(): void
}

/** this <- decay * this + (1 - decay) * source over two same-ordered variable lists. */
export function emaAssign(mine: tf.Variable[], theirs: tf.Variable[], decay: number): void {
  if (mine.length !== theirs.length)
    throw new Error(`EMA between weight sets of ${mine.length} and ${theirs.length} variables`)
  if (mine.length === 0) return
  // All variables as one vector: 3 launches, not 3 per variable (flat-vars.ts); the same values.
  tf.tidy(() => assignFromFlat(mine, tf.add(tf.mul(flatten(mine), decay), tf.mul(flatten(theirs), 1 - decay))))
}

/** How many values the variables hold together. */
export function parameterCount(vars: readonly tf.Variable[]): number {
  return vars.reduce((n, v) => n + v.size, 0)
}

/** Variables' values end to end in one array (their order), e.g. to hand a weight set to another thread. */
export async function readFlatVariables(vars: tf.Variable[]): Promise<Float32Array> {
  const out = new Float32Array(parameterCount(vars))
  const values = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>))
  let offset = 0
  vars.forEach((v, i) => {
    out.set(values[i] as Float32Array, offset)
    offset += v.size
  })
  return out
}

/** Frozen or trainable copies of variables, made on the device (tf.Variable copies its initial value). */
export function copyVariables(
  vars: readonly tf.Variable[],
  trainable: boolean,
  names: readonly string[],
): tf.Variable[] {
  return vars.map((v, i) => {
    instance += 1
    return tf.variable(v, trainable, `${names[i]}#${instance}`)
  })
}

/** The inverse of flattenVariables: assigns each variable its slice (copied: `flat` may be shared memory). */
export function assignFlat(vars: tf.Variable[], flat: Float32Array): void {
  const total = parameterCount(vars)
  if (flat.length !== total) throw new Error(`weights: ${flat.length} values for variables of ${total}`)
  let offset = 0
  for (const v of vars) {
    const values = flat.slice(offset, offset + v.size)
    offset += v.size
    tf.tidy(() => v.assign(tf.tensor(values, v.shape)))
  }
}

/** A set of variables shaped like an MLP. `trainable` marks the student; copies are frozen. */
export class WeightSet implements EpsWeights {
  private constructor(
    readonly layers: MlpWeights<tf.Variable>,
    readonly fourier: FourierFeatures | null,
  ) {}

  static fromArrays(
    arrays: WeightArrays,
    numLayers: number,
    trainable: boolean,
    label: string,
    fourier: FourierFeatures | null = null,
  ): WeightSet {
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
    return new WeightSet(layers, fourier)
  }

  /** A copy holding the same values (used to initialise student, target and EMA), made on the device. */
  copy(trainable: boolean, label: string): WeightSet {
    const names = this.names()
    const vars = copyVariables(
      this.variables(),
      trainable,
      names.map((n) => `${label}/${n}`),
    )
    const layers = this.layers.map((_, i) => ({ W: vars[2 * i] as tf.Variable, b: vars[2 * i + 1] as tf.Variable }))
    return new WeightSet(layers, this.fourier)
  }

  variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.W, l.b])
  }

  names(): string[] {
    return weightNames(this.layers.length)
  }

  net(): EpsNet {
    return mlpNet(this.layers, this.fourier)
  }

  toArrays(): Promise<WeightArrays> {
    const vars = this.variables()
    return arraysOfVariables(this.names(), Object.fromEntries(this.names().map((n, i) => [n, vars[i] as tf.Variable])))
  }

  /** this <- decay * this + (1 - decay) * source, in place. */
  emaFrom(source: EpsWeights, decay: number): void {
    emaAssign(this.variables(), source.variables(), decay)
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose()
  }
}

/**
 * Named parameters as variables, checked against the architecture's parameter list first: a missing array, a
 * wrong shape (and with `strict`, an extra array or a non-finite value) is refused by name, so weights of
 * another architecture never load. `what` starts each message (`unet weights (student)`).
 */
export function namedVariables(
  expected: ReadonlyArray<{ name: string; shape: readonly number[] }>,
  arrays: WeightArrays,
  trainable: boolean,
  label: string,
  what: string,
  strict = false,
): { params: Record<string, tf.Variable>; order: string[] } {
  for (const p of expected) {
    const a = arrays[p.name]
    if (!a) throw new Error(`${what}: ${p.name} is missing`)
    const size = p.shape.reduce((x, y) => x * y, 1)
    if (a.shape.join(',') !== p.shape.join(',') || a.data.length !== size) {
      throw new Error(`${what}: ${p.name} has shape [${a.shape}] (${a.data.length} values), expected [${p.shape}]`)
    }
    if (strict) {
      const bad = a.data.findIndex((v) => !Number.isFinite(v))
      if (bad >= 0) throw new Error(`${what}: ${p.name}[${bad}] is ${a.data[bad]}, not a finite number`)
    }
  }
  if (strict) {
    const extra = Object.keys(arrays).filter((n) => !expected.some((p) => p.name === n))
    if (extra.length > 0) throw new Error(`${what}: unexpected ${extra.join(', ')}: not this architecture`)
  }
  const params: Record<string, tf.Variable> = {}
  for (const p of expected) params[p.name] = variableFrom(arrays[p.name] as NamedArray, trainable, `${label}/${p.name}`)
  return { params, order: expected.map((p) => p.name) }
}

/** The values of named variables in `order`, copied out (all reads in flight at once). */
export async function arraysOfVariables(
  order: readonly string[],
  params: Readonly<Record<string, tf.Variable>>,
): Promise<WeightArrays> {
  const vars = order.map((n) => params[n] as tf.Variable)
  const values = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>))
  const out: WeightArrays = {}
  order.forEach((n, i) => {
    // slice(): on the cpu backend data() hands out the variable's own buffer.
    out[n] = { shape: [...(vars[i] as tf.Variable).shape], data: (values[i] as Float32Array).slice() }
  })
  return out
}

/** Variable names must be unique per engine; a counter keeps repeated runs in one process apart. */
let instance = 0

function variableFrom(a: NamedArray, trainable: boolean, name: string): tf.Variable {
  instance += 1
  // tidy disposes the initial tensor; the variable itself survives tidy.
  return tf.tidy(() => tf.variable(tf.tensor(a.data, a.shape), trainable, `${name}#${instance}`))
}
