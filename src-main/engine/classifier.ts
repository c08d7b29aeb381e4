/**
 * A small CNN classifier for H x W x C images in [-1, 1], trained once per image dataset so that samples can
 * be scored by the Fréchet distance of its penultimate features (./frechet.ts):
 *
 *   x -> conv3x3(c1) -> SiLU -> avgpool2 -> conv3x3(c2) -> SiLU -> avgpool2 -> flatten
 *     -> dense(F) -> SiLU  = the features  -> dense(classes) = logits
 *
 * A dataset-specific network rather than Inception: the app cannot download pretrained weights, and a
 * 28x28 grey image says little to an ImageNet model. The numbers are therefore comparable between runs on
 * the same dataset (same cached classifier), not with published FIDs.
 *
 * As in unet.ts the weights are a flat named set of tf.Variables (`conv1.W`, ...), the forward takes plain
 * tensors, and the conv-gradient kernels are registered so wasm trains it. The engine never touches files:
 * data comes in through providers, weights leave as WeightArrays for the caller to cache beside the dataset.
 */
import { Rng } from '@shared/rng'
import { Adam, learningRateAt, minimize } from './adam'
import { registerConvGradientKernels } from './conv-kernels'
import { LaggedLosses } from './loss-reader'
import { dense, silu } from './ops'
import { tf, type Tensor1D, type Tensor2D } from './tf'
import { arraysOfVariables, namedVariables, type WeightArrays } from './weights'

registerConvGradientKernels()

export interface ClassifierSpec {
  height: number
  width: number
  channels: number
  classes: number
  conv1Channels: number
  conv2Channels: number
  /** Width of the penultimate layer: the dimension of the features the Fréchet distance uses. */
  featureDim: number
}

export const CLASSIFIER_DEFAULTS = {
  conv1Channels: 16,
  conv2Channels: 32,
  featureDim: 64,
} as const satisfies Partial<ClassifierSpec>

export class ClassifierSpecError extends Error {
  constructor(
    readonly field: keyof ClassifierSpec,
    readonly value: unknown,
    why: string,
  ) {
    super(`classifier: ${field} = ${JSON.stringify(value)}: ${why}`)
    this.name = 'ClassifierSpecError'
  }
}

const positiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0

/** The image shape and class count plus defaults for the widths; throws ClassifierSpecError on a bad field. */
export function classifierSpec(
  shape: Pick<ClassifierSpec, 'height' | 'width' | 'channels' | 'classes'> & Partial<ClassifierSpec>,
): ClassifierSpec {
  const spec: ClassifierSpec = {
    ...CLASSIFIER_DEFAULTS,
    ...(Object.fromEntries(Object.entries(shape).filter(([, v]) => v !== undefined)) as typeof shape),
  }
  for (const field of [
    'height',
    'width',
    'channels',
    'classes',
    'conv1Channels',
    'conv2Channels',
    'featureDim',
  ] as const) {
    if (!positiveInt(spec[field])) throw new ClassifierSpecError(field, spec[field], 'must be a positive integer')
  }
  if (spec.classes < 2) throw new ClassifierSpecError('classes', spec.classes, 'a classifier needs at least 2 classes')
  for (const field of ['height', 'width'] as const) {
    if (spec[field] % 4 !== 0)
      throw new ClassifierSpecError(field, spec[field], 'must be divisible by 4 (two 2x2 poolings)')
  }
  return spec
}

export interface ClassifierParameter {
  name: string
  shape: number[]
  init: 'he' | 'zero'
}

/** Every parameter in a fixed order (the order of variables(), Adam state and cached files). */
export function classifierParameterShapes(spec: ClassifierSpec): ClassifierParameter[] {
  const flat = (spec.height / 4) * (spec.width / 4) * spec.conv2Channels
  return [
    { name: 'conv1.W', shape: [3, 3, spec.channels, spec.conv1Channels], init: 'he' },
    { name: 'conv1.b', shape: [spec.conv1Channels], init: 'zero' },
    { name: 'conv2.W', shape: [3, 3, spec.conv1Channels, spec.conv2Channels], init: 'he' },
    { name: 'conv2.b', shape: [spec.conv2Channels], init: 'zero' },
    { name: 'features.W', shape: [flat, spec.featureDim], init: 'he' },
    { name: 'features.b', shape: [spec.featureDim], init: 'zero' },
    { name: 'logits.W', shape: [spec.featureDim, spec.classes], init: 'he' },
    { name: 'logits.b', shape: [spec.classes], init: 'zero' },
  ]
}

/** Seeded He-normal initial weights, identical on every backend. */
export function initialClassifierWeights(spec: ClassifierSpec, rng: Rng): WeightArrays {
  const out: WeightArrays = {}
  for (const p of classifierParameterShapes(spec)) {
    const size = p.shape.reduce((a, b) => a * b, 1)
    let data = new Float32Array(size)
    if (p.init === 'he') {
      const fanIn = size / (p.shape[p.shape.length - 1] as number)
      const std = Math.sqrt(2 / fanIn)
      data = rng.normals(size).map((v) => v * std)
    }
    out[p.name] = { shape: p.shape, data }
  }
  return out
}

/** One batch of labelled images: `images` is [n, H, W, C] row-major in [-1, 1], `labels` 0..classes-1. */
export interface LabelledBatch {
  images: Float32Array
  labels: Int32Array
}

/** Where training and evaluation read images; the caller maps indices to its stored dataset. */
export interface LabelledImages {
  count: number
  batch(indices: ArrayLike<number>): LabelledBatch
}

type GradFn = Parameters<typeof tf.customGrad>[0]

/**
 * 2x2 average pooling, stride 2. Forward is tfjs's AvgPool; the gradient (dy / 4 spread over each 2x2
 * block) is a reshape and a broadcasting multiply, because wasm's AvgPoolGrad is a generic loop: it took a
 * third of a training step (130 -> 85 ms at batch 64; tf.broadcastTo's Tile was slower still).
 */
export const avgPool2x2 = tf.customGrad(((x: tf.Tensor4D, save: tf.GradSaveFunc) => {
  save([])
  const [B, H, W, C] = x.shape
  return {
    value: tf.avgPool(x, 2, 2, 'valid'),
    gradFunc: (dy: tf.Tensor) => {
      const spread = tf.mul(tf.reshape(dy, [B, H / 2, 1, W / 2, 1, C]), tf.fill([1, 1, 2, 1, 2, 1], 0.25))
      return tf.reshape(spread, [B, H, W, C])
    },
  }
}) as unknown as GradFn) as unknown as (x: tf.Tensor4D) => tf.Tensor4D

/** Images per forward pass when extracting features or predicting: bounded memory for any n. */
export const CLASSIFIER_EVAL_BATCH = 250

/** The classifier's weights as named tf.Variables, and the forward / feature / prediction paths. */
export class Classifier {
  private constructor(
    readonly spec: ClassifierSpec,
    readonly params: Readonly<Record<string, tf.Variable>>,
    private readonly order: string[],
  ) {}

  /** Fresh seeded weights. */
  static create(spec: ClassifierSpec, seed: number, trainable = true): Classifier {
    return Classifier.fromArrays(spec, initialClassifierWeights(spec, Rng.fromSeed(seed, 0)), trainable)
  }

  /** Checks every name and shape against the spec, so weights of another architecture are refused by name. */
  static fromArrays(spec: ClassifierSpec, arrays: WeightArrays, trainable = false, label = 'classifier'): Classifier {
    const { params, order } = namedVariables(
      classifierParameterShapes(spec),
      arrays,
      trainable,
      label,
      `classifier weights (${label})`,
      true,
    )
    return new Classifier(spec, params, order)
  }

  variables(): tf.Variable[] {
    return this.order.map((n) => this.params[n] as tf.Variable)
  }

  toArrays(): Promise<WeightArrays> {
    return arraysOfVariables(this.order, this.params)
  }

  /** Penultimate features [B, featureDim] and logits [B, classes] of x [B, H, W, C]. Call inside tf.tidy. */
  forward(x: tf.Tensor4D): { features: Tensor2D; logits: Tensor2D } {
    registerConvGradientKernels()
    const p = (name: string) => this.params[name] as tf.Tensor
    const act = silu as unknown as <T extends tf.Tensor>(t: T) => T
    const conv = (name: string, h: tf.Tensor4D) =>
      tf.fused.conv2d({ x: h, filter: p(`${name}.W`) as tf.Tensor4D, bias: p(`${name}.b`), strides: 1, pad: 'same' })
    let h = avgPool2x2(act(conv('conv1', x)))
    h = avgPool2x2(act(conv('conv2', h)))
    const flat = tf.reshape(h, [x.shape[0], -1]) as Tensor2D
    const features = act(dense(flat, p('features.W') as Tensor2D, p('features.b') as Tensor1D))
    return { features, logits: dense(features, p('logits.W') as Tensor2D, p('logits.b') as Tensor1D) }
  }

  /** Penultimate features of n images (row-major [n, featureDim]), in batches of `batchSize`. */
  features(images: Float32Array, n: number, batchSize = CLASSIFIER_EVAL_BATCH): Promise<Float32Array> {
    return this.batched(images, n, batchSize, this.spec.featureDim, (x) => this.forward(x).features)
  }

  /** Logits of n images (row-major [n, classes]). */
  logits(images: Float32Array, n: number, batchSize = CLASSIFIER_EVAL_BATCH): Promise<Float32Array> {
    return this.batched(images, n, batchSize, this.spec.classes, (x) => this.forward(x).logits)
  }

  /** The most likely class of each of n images. */
  async predict(images: Float32Array, n: number, batchSize = CLASSIFIER_EVAL_BATCH): Promise<Int32Array> {
    const logits = await this.logits(images, n, batchSize)
    const K = this.spec.classes
    const out = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      let best = 0
      for (let k = 1; k < K; k++) if ((logits[i * K + k] as number) > (logits[i * K + best] as number)) best = k
      out[i] = best
    }
    return out
  }

  /** Fraction of `data` classified correctly, read in batches of `batchSize`. */
  async accuracy(data: LabelledImages, batchSize = CLASSIFIER_EVAL_BATCH, what = 'test data'): Promise<number> {
    if (!positiveInt(data.count)) throw new Error(`classifier: ${what} has count ${data.count}: nothing to score`)
    let correct = 0
    for (let start = 0; start < data.count; start += batchSize) {
      const n = Math.min(batchSize, data.count - start)
      const indices = Int32Array.from({ length: n }, (_, i) => start + i)
      const batch = checkedBatch(data, indices, this.spec, what)
      const predicted = await this.predict(batch.images, n, batchSize)
      for (let i = 0; i < n; i++) if (predicted[i] === batch.labels[i]) correct += 1
    }
    return correct / data.count
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose()
  }

  /**
   * Reads each batch with `await data()`: tfjs-webgpu has no synchronous read under Node (#18), and on every
   * backend the values are the same as a dataSync's.
   */
  private async batched(
    images: Float32Array,
    n: number,
    batchSize: number,
    width: number,
    head: (x: tf.Tensor4D) => Tensor2D,
  ): Promise<Float32Array> {
    const { height: H, width: W, channels: C } = this.spec
    const per = H * W * C
    if (!Number.isInteger(n) || n < 0) throw new Error(`classifier: n = ${n}: must be a non-negative integer`)
    if (images.length !== n * per) {
      throw new Error(`classifier: images has ${images.length} values, expected ${n} x ${H}x${W}x${C} = ${n * per}`)
    }
    if (!positiveInt(batchSize)) throw new Error(`classifier: batchSize = ${batchSize}: must be a positive integer`)
    const out = new Float32Array(n * width)
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start)
      const result = tf.tidy(() => head(tf.tensor4d(images.subarray(start * per, (start + m) * per), [m, H, W, C])))
      try {
        out.set((await result.data()) as Float32Array, start * width)
      } finally {
        result.dispose()
      }
    }
    return out
  }
}

/** Mean softmax cross-entropy of logits [B, K] against integer labels. */
function crossEntropy(logits: Tensor2D, labels: Int32Array, classes: number): tf.Scalar {
  const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes)
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)))
}

/** Reads a batch and checks its sizes and labels, naming the provider. */
function checkedBatch(data: LabelledImages, indices: Int32Array, spec: ClassifierSpec, what: string): LabelledBatch {
  const batch = data.batch(indices)
  const n = indices.length
  const per = spec.height * spec.width * spec.channels
  if (!(batch.images instanceof Float32Array) || batch.images.length !== n * per) {
    throw new Error(
      `classifier: ${what} returned ${batch.images?.length} image values for ${n} indices, expected ${n * per} (${spec.height}x${spec.width}x${spec.channels} each)`,
    )
  }
  if (batch.labels?.length !== n)
    throw new Error(`classifier: ${what} returned ${batch.labels?.length} labels for ${n} indices`)
  for (let i = 0; i < n; i++) {
    const label = batch.labels[i] as number
    if (!Number.isInteger(label) || label < 0 || label >= spec.classes) {
      throw new Error(`classifier: ${what} label of image ${indices[i]} is ${label}, outside 0..${spec.classes - 1}`)
    }
  }
  return batch
}

export interface ClassifierTrainConfig {
  seed: number
  /** Optimiser steps; when absent, `epochs` passes over the training data. */
  steps?: number
  epochs?: number
  batchSize: number
  /** Peak Adam learning rate: linear warm-up, then cosine decay to 0. */
  learningRate: number
}

/**
 * Fashion-MNIST (60 000 images) with these: 2813 steps, ~79 ms each on wasm (under 4 minutes), 90.1% test
 * accuracy; one epoch already gives ~87%. The pure-JS cpu backend takes ~2 s per step: pick wasm.
 */
export const CLASSIFIER_TRAIN_DEFAULTS = {
  epochs: 3,
  batchSize: 64,
  learningRate: 2e-3,
} as const satisfies Omit<ClassifierTrainConfig, 'seed'>

export interface ClassifierTrainOptions {
  onProgress?: (done: number, total: number) => void
  /** Stops between steps with an AbortError (the caller caches nothing). */
  signal?: AbortSignal
}

export interface ClassifierTrainResult {
  weights: WeightArrays
  /** Fraction of the test provider's images classified correctly after training. */
  testAccuracy: number
  steps: number
  /** Mean cross-entropy over the last 10% of steps (at least one). */
  finalLoss: number
  msPerStep: number
}

export class NonFiniteClassifierLossError extends Error {
  constructor(
    readonly step: number,
    loss: number,
  ) {
    super(`classifier training: loss is ${loss} at step ${step}; lower the learning rate`)
    this.name = 'NonFiniteClassifierLossError'
  }
}

function trainingSteps(config: ClassifierTrainConfig, trainCount: number): number {
  if (config.steps !== undefined) {
    if (!positiveInt(config.steps))
      throw new Error(`classifier training: steps = ${config.steps}: must be a positive integer`)
    return config.steps
  }
  const epochs = config.epochs ?? CLASSIFIER_TRAIN_DEFAULTS.epochs
  if (!(typeof epochs === 'number' && epochs > 0 && Number.isFinite(epochs))) {
    throw new Error(`classifier training: epochs = ${epochs}: must be a positive number`)
  }
  return Math.max(1, Math.ceil((epochs * trainCount) / config.batchSize))
}

/** Linear warm-up over the first steps keeps Adam's first, poorly-estimated updates small. */
const WARMUP_FRACTION = 0.05

/**
 * Trains a classifier from seeded initial weights on `train` (minibatches drawn from a fresh seeded
 * permutation each epoch), then scores it on `test`. Deterministic on the cpu backend for a given seed.
 * Yields to the event loop every ~50 ms so a host can process cancel messages.
 */
export async function trainClassifier(
  spec: ClassifierSpec,
  data: { train: LabelledImages; test: LabelledImages },
  config: ClassifierTrainConfig,
  options: ClassifierTrainOptions = {},
): Promise<ClassifierTrainResult> {
  if (!positiveInt(data.train.count))
    throw new Error(`classifier training: train data has count ${data.train.count}: nothing to train on`)
  if (!positiveInt(data.test.count))
    throw new Error(`classifier training: test data has count ${data.test.count}: nothing to score`)
  if (!positiveInt(config.batchSize))
    throw new Error(`classifier training: batchSize = ${config.batchSize}: must be a positive integer`)
  if (!(config.learningRate > 0 && Number.isFinite(config.learningRate))) {
    throw new Error(`classifier training: learningRate = ${config.learningRate}: must be a positive number`)
  }
  if (!Number.isInteger(config.seed)) throw new Error(`classifier training: seed = ${config.seed}: must be an integer`)
  const total = trainingSteps(config, data.train.count)
  const warmup = Math.floor(total * WARMUP_FRACTION)
  const batchSize = Math.min(config.batchSize, data.train.count)
  const { height: H, width: W, channels: C } = spec

  const classifier = Classifier.create(spec, config.seed)
  const vars = classifier.variables()
  const adam = new Adam(vars)
  const rng = Rng.fromSeed(config.seed, 1)
  const order = new Int32Array(data.train.count)
  let cursor = order.length
  const nextIndices = (): Int32Array => {
    const out = new Int32Array(batchSize)
    for (let i = 0; i < batchSize; i++) {
      if (cursor === order.length) {
        for (let j = 0; j < order.length; j++) order[j] = j
        for (let j = order.length - 1; j > 0; j--) {
          const k = rng.int(j + 1)
          const t = order[j] as number
          order[j] = order[k] as number
          order[k] = t
        }
        cursor = 0
      }
      out[i] = order[cursor++] as number
    }
    return out
  }

  // Read a few steps behind (loss-reader.ts); a non-finite loss still stops training, naming its step.
  const losses = new LaggedLosses<{ step: number }>((step, l) => new NonFiniteClassifierLossError(step, l))
  try {
    const tail = Math.max(1, Math.floor(total / 10))
    let tailLoss = 0
    const add = (read: Array<{ step: number; loss: number }>) => {
      for (const r of read) if (r.step > total - tail) tailLoss += r.loss
    }
    const started = performance.now()
    let lastYield = started
    for (let step = 1; step <= total; step++) {
      if (options.signal?.aborted)
        throw options.signal.reason ?? new DOMException('classifier training was cancelled', 'AbortError')
      const batch = checkedBatch(data.train, nextIndices(), spec, 'train data')
      const lr = learningRateAt(step, config.learningRate, total, warmup, 'cosine')
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(batch.images, [batchSize, H, W, C])
        return minimize(adam, vars, () => crossEntropy(classifier.forward(x).logits, batch.labels, spec.classes), lr)
      })
      losses.push({ step }, loss)
      add(await losses.take())
      options.onProgress?.(step, total)
      if (performance.now() - lastYield > 50) {
        await new Promise((resolve) => setTimeout(resolve, 0))
        lastYield = performance.now()
      }
    }
    add(await losses.take(0))
    const msPerStep = (performance.now() - started) / total
    const testAccuracy = await classifier.accuracy(data.test, CLASSIFIER_EVAL_BATCH, 'test data')
    return { weights: await classifier.toArrays(), testAccuracy, steps: total, finalLoss: tailLoss / tail, msPerStep }
  } finally {
    losses.dispose()
    adam.dispose()
    classifier.dispose()
  }
}
