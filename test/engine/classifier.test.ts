/**
 * The feature classifier on real Fashion-MNIST (Debian's dataset-fashion-mnist, read with the app's IDX
 * reader): a few hundred wasm training steps on a subset reach test accuracy far above chance, its
 * penultimate features have the right shape and are finite, its weights round-trip and refuse a foreign
 * architecture by name, nothing leaks, and the Fréchet distance of its features separates held-out real
 * images from noise by a wide margin. Training is deterministic on cpu (checked on a tiny network, since
 * tfjs's pure-JS convolutions are ~20x slower than wasm's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { featureStatistics, frechetDistance } from '../../src-main/engine/frechet'
import { scalePixels } from '@shared/data/images'
import { Rng } from '@shared/rng'
import { readIdx } from '../../src-main/data/idx'
import {
  avgPool2x2,
  Classifier,
  CLASSIFIER_DEFAULTS,
  CLASSIFIER_TRAIN_DEFAULTS,
  classifierParameterShapes,
  classifierSpec,
  ClassifierSpecError,
  trainClassifier,
  type ClassifierTrainResult,
  type LabelledImages,
} from '../../src-main/engine/classifier'
import { tf } from '../../src-main/engine/tf'
import type { WeightArrays } from '../../src-main/engine/weights'

// Quiets tfjs's advice to install tfjs-node, as backend.ts does for the app.
tf.env().set('PROD', true)

const FASHION = '/usr/share/datasets/fashion-mnist'
const PIXELS = 28 * 28

interface Split {
  n: number
  images: Float32Array
  labels: Int32Array
}

async function load(prefix: 'train' | 't10k', limit: number): Promise<Split> {
  const images = await readIdx(`${FASHION}/${prefix}-images-idx3-ubyte.gz`)
  const labels = await readIdx(`${FASHION}/${prefix}-labels-idx1-ubyte.gz`)
  const n = Math.min(limit, images.header.dims[0] as number)
  return {
    n,
    images: scalePixels(images.data.subarray(0, n * PIXELS)),
    labels: Int32Array.from(labels.data.subarray(0, n)),
  }
}

function provider(split: Split, pixels = PIXELS): LabelledImages & { reads: number } {
  const p = {
    count: split.n,
    reads: 0,
    batch(indices: ArrayLike<number>) {
      p.reads += 1
      const images = new Float32Array(indices.length * pixels)
      const labels = new Int32Array(indices.length)
      for (let i = 0; i < indices.length; i++) {
        const k = indices[i] as number
        images.set(split.images.subarray(k * pixels, (k + 1) * pixels), i * pixels)
        labels[i] = split.labels[k] as number
      }
      return { images, labels }
    },
  }
  return p
}

const SPEC = classifierSpec({ height: 28, width: 28, channels: 1, classes: 10 })
const TRAIN_STEPS = 300
const BATCH = 32

let train: Split
let test: Split
let trained: ClassifierTrainResult
let progress: Array<[number, number]>
let tensorsBefore = 0
let trainWallMs = 0

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true)
  train = await load('train', 6000)
  test = await load('t10k', 2000)
  progress = []
  tensorsBefore = tf.memory().numTensors
  const started = performance.now()
  trained = await trainClassifier(
    SPEC,
    { train: provider(train), test: provider(test) },
    { seed: 3, steps: TRAIN_STEPS, batchSize: BATCH, learningRate: CLASSIFIER_TRAIN_DEFAULTS.learningRate },
    { onProgress: (done, total) => progress.push([done, total]) },
  )
  trainWallMs = performance.now() - started
})

afterAll(async () => {
  await tf.setBackend('cpu')
})

describe('classifierSpec', () => {
  it('fills in the default widths', () => {
    expect(SPEC).toEqual({ height: 28, width: 28, channels: 1, classes: 10, ...CLASSIFIER_DEFAULTS })
    expect(classifierSpec({ height: 32, width: 32, channels: 3, classes: 10, featureDim: undefined }).featureDim).toBe(
      64,
    )
    const flat = classifierParameterShapes(SPEC).find((p) => p.name === 'features.W')
    expect(flat?.shape).toEqual([7 * 7 * 32, 64])
  })

  it('refuses bad fields, naming the field and the value', () => {
    const base = { height: 28, width: 28, channels: 1, classes: 10 }
    const fails = (over: object, pattern: RegExp) => {
      expect(() => classifierSpec({ ...base, ...over })).toThrow(ClassifierSpecError)
      expect(() => classifierSpec({ ...base, ...over })).toThrow(pattern)
    }
    fails({ height: 30 }, /height = 30: must be divisible by 4/)
    fails({ classes: 1 }, /classes = 1: a classifier needs at least 2 classes/)
    fails({ featureDim: 0 }, /featureDim = 0: must be a positive integer/)
    fails({ conv1Channels: 2.5 }, /conv1Channels = 2.5: must be a positive integer/)
  })
})

describe('avgPool2x2', () => {
  it("has tfjs's AvgPool gradient", async () => {
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true)
      const before = tf.memory().numTensors
      tf.tidy(() => {
        const x = tf.tensor4d(Rng.fromSeed(1).normals(2 * 6 * 4 * 3), [2, 6, 4, 3])
        const r = tf.tensor4d(Rng.fromSeed(2).normals(2 * 3 * 2 * 3), [2, 3, 2, 3])
        const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(avgPool2x2(t as tf.Tensor4D), r)))(x)
        const theirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, 2, 2, 'valid'), r)))(x)
        expect(Array.from(avgPool2x2(x).dataSync())).toEqual(Array.from(tf.avgPool(x, 2, 2, 'valid').dataSync()))
        const a = ours.dataSync()
        const b = theirs.dataSync()
        for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i] as number, 6)
      })
      expect(tf.memory().numTensors).toBe(before)
    }
    expect(await tf.setBackend('wasm')).toBe(true)
  })
})

describe('trainClassifier on Fashion-MNIST (wasm)', () => {
  it('reaches test accuracy far above chance in a few hundred steps, without leaking tensors', () => {
    expect(trained.steps).toBe(TRAIN_STEPS)
    // Chance is 0.1; 300 steps of 32 images reach ~0.75-0.8.
    expect(trained.testAccuracy).toBeGreaterThan(0.6)
    expect(trained.finalLoss).toBeLessThan(1.2)
    expect(trained.msPerStep).toBeGreaterThan(0)
    expect(progress).toHaveLength(TRAIN_STEPS)
    expect(progress[0]).toEqual([1, TRAIN_STEPS])
    expect(progress.at(-1)).toEqual([TRAIN_STEPS, TRAIN_STEPS])
    // Training disposed its variables, optimizer state and every intermediate.
    expect(tf.memory().numTensors).toBe(tensorsBefore)
    console.info(
      `classifier: ${TRAIN_STEPS} steps x ${BATCH} on wasm, test accuracy ${trained.testAccuracy.toFixed(3)}, ` +
        `${trained.msPerStep.toFixed(1)} ms/step, ${(trainWallMs / 1000).toFixed(1)} s with evaluation`,
    )
  })

  it('extracts finite penultimate features in bounded batches, leak-free', async () => {
    const classifier = Classifier.fromArrays(SPEC, trained.weights)
    try {
      const n = 600
      const before = tf.memory().numTensors
      const features = await classifier.features(test.images.subarray(0, n * PIXELS), n)
      expect(features).toHaveLength(n * SPEC.featureDim)
      expect(features.every(Number.isFinite)).toBe(true)
      // Batch size does not change the numbers (each batch is independent).
      const small = await classifier.features(test.images.subarray(0, n * PIXELS), n, 64)
      for (let i = 0; i < features.length; i += 97) expect(small[i]).toBeCloseTo(features[i] as number, 5)
      expect(tf.memory().numTensors).toBe(before)
      expect(await classifier.features(new Float32Array(0), 0)).toHaveLength(0)
      await expect(classifier.features(new Float32Array(10), 1)).rejects.toThrow(
        /images has 10 values, expected 1 x 28x28x1 = 784/,
      )
    } finally {
      classifier.dispose()
    }
  })

  it('round-trips its weights: fromArrays(toArrays()) predicts identically', async () => {
    const a = Classifier.fromArrays(SPEC, trained.weights)
    const b = Classifier.fromArrays(SPEC, await a.toArrays(), false, 'copy')
    try {
      const n = 500
      const images = test.images.subarray(0, n * PIXELS)
      expect(Array.from(await b.predict(images, n))).toEqual(Array.from(await a.predict(images, n)))
      expect(Array.from(await b.logits(images, n))).toEqual(Array.from(await a.logits(images, n)))
      expect(await a.accuracy(provider(test))).toBeCloseTo(trained.testAccuracy, 10)
    } finally {
      a.dispose()
      b.dispose()
    }
  })

  it('refuses weights of another architecture, naming the parameter', () => {
    const before = tf.memory().numTensors
    const arrays: WeightArrays = { ...trained.weights }
    arrays['features.W'] = { shape: [1568, 32], data: new Float32Array(1568 * 32) }
    expect(() => Classifier.fromArrays(SPEC, arrays)).toThrow(
      /features\.W has shape \[1568,32\] \(50176 values\), expected \[1568,64\]/,
    )
    const { ['logits.b']: _dropped, ...missing } = trained.weights
    expect(() => Classifier.fromArrays(SPEC, missing)).toThrow(/logits\.b is missing/)
    expect(() =>
      Classifier.fromArrays(SPEC, { ...trained.weights, 'conv3.W': { shape: [1], data: new Float32Array(1) } }),
    ).toThrow(/unexpected conv3\.W: not this architecture/)
    const wide = classifierSpec({ height: 28, width: 28, channels: 1, classes: 10, conv2Channels: 64 })
    expect(() => Classifier.fromArrays(wide, trained.weights)).toThrow(
      /conv2\.W has shape \[3,3,16,32\].*expected \[3,3,16,64\]/,
    )
    const nan = trained.weights['conv1.b'] as WeightArrays[string]
    expect(() =>
      Classifier.fromArrays(SPEC, {
        ...trained.weights,
        'conv1.b': { shape: nan.shape, data: nan.data.map((v, i) => (i === 2 ? NaN : v)) },
      }),
    ).toThrow(/conv1\.b\[2\] is NaN/)
    // Nothing was allocated by the refused loads.
    expect(tf.memory().numTensors).toBe(before)
  })

  it('gives a Fréchet distance between two halves of the test set far below that to noise images', async () => {
    const classifier = Classifier.fromArrays(SPEC, trained.weights)
    try {
      const half = test.n / 2
      const dim = SPEC.featureDim
      const stats = async (images: Float32Array, n: number) =>
        featureStatistics(await classifier.features(images, n), n, dim)
      const first = await stats(test.images.subarray(0, half * PIXELS), half)
      const second = await stats(test.images.subarray(half * PIXELS, 2 * half * PIXELS), half)
      const rng = Rng.fromSeed(99)
      const noise = Float32Array.from({ length: half * PIXELS }, () => rng.uniform() * 2 - 1)
      const noiseStats = await stats(noise, half)
      const real = frechetDistance(first, second)
      const toNoise = frechetDistance(first, noiseStats)
      console.info(
        `classifier features: FD(test half, test half) = ${real.toFixed(3)}, FD(test, noise) = ${toNoise.toFixed(1)}, ratio ${(toNoise / real).toFixed(0)}`,
      )
      expect(real).toBeGreaterThan(0)
      expect(toNoise / real).toBeGreaterThan(20)
    } finally {
      classifier.dispose()
    }
  })

  it('stops on an aborted signal and leaks nothing', async () => {
    const before = tf.memory().numTensors
    const controller = new AbortController()
    const run = trainClassifier(
      SPEC,
      { train: provider(train), test: provider(test) },
      { seed: 1, steps: 1000, batchSize: 16, learningRate: 1e-3 },
      {
        signal: controller.signal,
        onProgress: (done) => done === 3 && controller.abort(new Error('cancelled by the test')),
      },
    )
    await expect(run).rejects.toThrow('cancelled by the test')
    expect(tf.memory().numTensors).toBe(before)
  })

  it('names the provider and the image when a batch is wrong', async () => {
    const before = tf.memory().numTensors
    const badLabels = { ...test, labels: test.labels.map((l, i) => (i === 5 ? 10 : l)) }
    await expect(
      trainClassifier(
        SPEC,
        { train: provider(badLabels), test: provider(test) },
        { seed: 1, steps: 1, batchSize: test.n, learningRate: 1e-3 },
      ),
    ).rejects.toThrow(/train data label of image 5 is 10, outside 0\.\.9/)
    const short: LabelledImages = {
      count: 10,
      batch: (idx) => ({ images: new Float32Array(idx.length * 10), labels: new Int32Array(idx.length) }),
    }
    await expect(
      trainClassifier(
        SPEC,
        { train: short, test: provider(test) },
        { seed: 1, steps: 1, batchSize: 4, learningRate: 1e-3 },
      ),
    ).rejects.toThrow(/train data returned 40 image values for 4 indices, expected 3136 \(28x28x1 each\)/)
    await expect(
      trainClassifier(
        SPEC,
        { train: provider(train), test: provider(test) },
        { seed: 1, steps: 0, batchSize: 4, learningRate: 1e-3 },
      ),
    ).rejects.toThrow(/steps = 0: must be a positive integer/)
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('trainClassifier on cpu', () => {
  it('is deterministic for a seed and uses every training image once per epoch', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    try {
      const tiny = classifierSpec({
        height: 8,
        width: 8,
        channels: 1,
        classes: 3,
        conv1Channels: 2,
        conv2Channels: 2,
        featureDim: 4,
      })
      const rng = Rng.fromSeed(5)
      const split: Split = {
        n: 12,
        images: Float32Array.from(rng.normals(12 * 64)),
        labels: Int32Array.from({ length: 12 }, (_, i) => i % 3),
      }
      const seen: number[] = []
      const counting: LabelledImages = {
        count: split.n,
        batch: (idx) => {
          seen.push(...Array.from(idx))
          return provider(split, 64).batch(idx)
        },
      }
      const config = { seed: 8, epochs: 2, batchSize: 4, learningRate: 1e-2 }
      const before = tf.memory().numTensors
      const a = await trainClassifier(tiny, { train: counting, test: provider(split, 64) }, config)
      const b = await trainClassifier(tiny, { train: provider(split, 64), test: provider(split, 64) }, config)
      const c = await trainClassifier(
        tiny,
        { train: provider(split, 64), test: provider(split, 64) },
        { ...config, seed: 9 },
      )
      expect(tf.memory().numTensors).toBe(before)
      expect(a.steps).toBe(6)
      // Two epochs of 12 images: each image exactly twice, in a different order each epoch.
      expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 24 }, (_, i) => Math.floor(i / 2)))
      expect(seen.slice(0, 12)).not.toEqual(seen.slice(12))
      for (const name of Object.keys(a.weights)) {
        expect(Array.from(b.weights[name]?.data ?? [])).toEqual(Array.from(a.weights[name]?.data ?? []))
      }
      expect(a.testAccuracy).toBe(b.testAccuracy)
      expect(Array.from(c.weights['conv1.W']?.data ?? [])).not.toEqual(Array.from(a.weights['conv1.W']?.data ?? []))
    } finally {
      expect(await tf.setBackend('wasm')).toBe(true)
    }
  })
})
