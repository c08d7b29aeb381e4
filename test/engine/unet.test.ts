/**
 * The U-Net epsilon-predictor: spec validation, output shapes for MNIST- and CIFAR-sized inputs, its named
 * weight set (round trip, EMA, refusal of foreign checkpoints), the hand-written GroupNorm and upsampling
 * gradients against tfjs autodiff, the whole network's gradient against a finite difference and across
 * backends, and eps-prediction training that lowers the loss without leaking tensors on cpu and wasm.
 * Everything is tiny (8 base channels, batch <= 4) so the file runs in seconds.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { Rng } from '@shared/rng'
import { Adam, minimize } from '../../src-main/engine/adam'
import { timeEmbedding } from '../../src-main/engine/mlp'
import { boundaryScaling, consistency, makeLevels, uniformSteps, type EpsNet } from '../../src-main/engine/denoiser'
import { makeSchedule } from '@shared/cd/schedule'
import { tf, type Tensor2D } from '../../src-main/engine/tf'
import {
  countUnetParameters,
  groupNorm,
  initialUnetWeights,
  unetForward,
  unetForwardFlat,
  unetParameterShapes,
  unetSpec,
  UnetSpecError,
  UnetWeightSet,
  upsample2x,
  type UnetSpec,
} from '../../src-main/engine/unet'
import type { WeightArrays } from '../../src-main/engine/weights'

const BACKENDS = ['cpu', 'wasm'] as const

const TINY = { baseChannels: 8, groups: 4, timeEmbeddingDim: 8 } as const

/** Initial weights with every zero-initialised tensor filled in, so all paths carry signal and gradient. */
function randomArrays(spec: UnetSpec, seed: number): WeightArrays {
  const rng = Rng.fromSeed(seed)
  const arrays = initialUnetWeights(spec, rng)
  for (const a of Object.values(arrays)) {
    if (a.data.every((v) => v === 0)) a.data = rng.normals(a.data.length).map((v) => v * 0.1)
  }
  return arrays
}

function embeddingFor(steps: number[], dim: number): Tensor2D {
  return tf.tensor2d(timeEmbedding(Int32Array.from(steps), dim), [steps.length, dim])
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape)
  const x = a.dataSync()
  const y = b.dataSync()
  let worst = 0
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)))
  return worst
}

describe('unetSpec', () => {
  it('fills in the defaults of the brief', () => {
    const spec = unetSpec({ height: 28, width: 28, channels: 1 })
    expect(spec).toMatchObject({
      baseChannels: 32,
      channelMultipliers: [1, 2],
      groups: 8,
      resBlocksPerLevel: 1,
      downsample: 'conv',
    })
    // An unset form field arrives as undefined and means "default".
    expect(unetSpec({ height: 32, width: 32, channels: 3, groups: undefined }).groups).toBe(8)
    expect(countUnetParameters(spec)).toBeGreaterThan(100_000)
  })

  it('refuses bad fields, naming the field and the value', () => {
    const base = { height: 28, width: 28, channels: 1 }
    const fails = (over: Partial<UnetSpec>, pattern: RegExp) => {
      expect(() => unetSpec({ ...base, ...over })).toThrow(UnetSpecError)
      expect(() => unetSpec({ ...base, ...over })).toThrow(pattern)
    }
    fails({ groups: 3 }, /groups = 3: must divide every normalised width; .* has 32 channels/)
    fails({ channelMultipliers: [1, 2, 2, 2] }, /height = 28: must be divisible by 8 for 4 levels/)
    fails({ channelMultipliers: [] }, /channelMultipliers = \[\]: must be a non-empty list/)
    fails({ baseChannels: 0 }, /baseChannels = 0: must be a positive integer/)
    fails({ timeEmbeddingDim: 7 }, /timeEmbeddingDim = 7: must be even/)
    fails({ downsample: 'max' as 'conv' }, /downsample = "max": must be 'conv' or 'avgpool'/)
  })

  it('names every parameter once', () => {
    const names = unetParameterShapes(
      unetSpec({ height: 32, width: 32, channels: 3, channelMultipliers: [1, 2, 2] }),
    ).map((p) => p.name)
    expect(new Set(names).size).toBe(names.length)
    expect(names).toContain('down1.res0.skip.W')
    expect(names).toContain('up2.up.W')
    expect(names.at(-1)).toBe('out.conv.b')
  })
})

describe('forward shapes', () => {
  const cases: Array<[string, Parameters<typeof unetSpec>[0]]> = [
    ['28x28x1, strided-conv downsampling', { height: 28, width: 28, channels: 1, ...TINY }],
    [
      '32x32x3, avg-pool downsampling, 3 levels',
      { height: 32, width: 32, channels: 3, ...TINY, channelMultipliers: [1, 2, 2], downsample: 'avgpool' },
    ],
  ]
  for (const backend of BACKENDS) {
    for (const [label, shape] of cases) {
      it(`${label} on ${backend}: eps has the input's shape`, async () => {
        expect(await tf.setBackend(backend)).toBe(true)
        const spec = unetSpec(shape)
        const weights = UnetWeightSet.fromArrays(spec, randomArrays(spec, 1), false, 'shape-test')
        const before = tf.memory().numTensors
        tf.tidy(() => {
          const x = tf.randomNormal([3, spec.height, spec.width, spec.channels], 0, 1, 'float32', 5) as tf.Tensor4D
          const eps = unetForward(spec, weights.params, x, embeddingFor([0, 500, 999], spec.timeEmbeddingDim))
          expect(eps.shape).toEqual([3, spec.height, spec.width, spec.channels])
          expect(eps.dataSync().every(Number.isFinite)).toBe(true)
        })
        expect(tf.memory().numTensors).toBe(before)
        weights.dispose()
      })
    }
  }

  it('the flat form equals the image form reshaped', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    const spec = unetSpec({ height: 8, width: 8, channels: 3, ...TINY })
    const weights = UnetWeightSet.fromArrays(spec, randomArrays(spec, 2), false, 'flat')
    tf.tidy(() => {
      const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 8) as tf.Tensor4D
      const e = embeddingFor([3, 700], 8)
      const flat = unetForwardFlat(spec, weights.params, tf.reshape(x, [2, 192]), e)
      expect(flat.shape).toEqual([2, 192])
      expect(maxAbsDiff(flat, tf.reshape(unetForward(spec, weights.params, x, e), [2, 192]))).toBe(0)
      expect(() => unetForwardFlat(spec, weights.params, tf.zeros([2, 2]) as Tensor2D, e)).toThrow(
        'unet: flat input is [2,2], expected [B, 192] (8x8x3)',
      )
    })
    weights.dispose()
  })

  it('serves as the epsilon network of the shared consistency function, with the exact boundary', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    const spec = unetSpec({ height: 8, width: 8, channels: 1, ...TINY })
    const weights = UnetWeightSet.fromArrays(spec, randomArrays(spec, 3), false, 'as-net')
    const schedule = makeSchedule('linear', 1000)
    const net: EpsNet = (x, embedding) => unetForwardFlat(spec, weights.params, x, embedding)
    const before = tf.memory().numTensors
    tf.tidy(() => {
      const x = tf.randomNormal([3, 64], 0, 1, 'float32', 9) as Tensor2D
      const atMin = makeLevels(schedule, uniformSteps(3, 0), spec.timeEmbeddingDim)
      const scaling = boundaryScaling(atMin, schedule.sigma[0] as number, 0.5)
      // f(x, sigmaMin) is x exactly, whatever the network says.
      expect(maxAbsDiff(consistency(net, x, atMin, scaling), x)).toBe(0)
      const high = makeLevels(schedule, uniformSteps(3, 999), spec.timeEmbeddingDim)
      const out = consistency(net, x, high, boundaryScaling(high, schedule.sigma[0] as number, 0.5))
      expect(out.shape).toEqual([3, 64])
      expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true)
    })
    expect(tf.memory().numTensors).toBe(before)
    weights.dispose()
  })

  it('refuses an input of another shape, naming both', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    const spec = unetSpec({ height: 28, width: 28, channels: 1, ...TINY })
    const weights = UnetWeightSet.fromArrays(spec, initialUnetWeights(spec, Rng.fromSeed(1)), false, 'refuse')
    expect(() =>
      tf.tidy(() =>
        unetForward(spec, weights.params, tf.zeros([2, 32, 32, 3]) as tf.Tensor4D, embeddingFor([1, 2], 8)),
      ),
    ).toThrow('unet: input is [2,32,32,3], the network is for [B, 28, 28, 1]')
    weights.dispose()
  })

  it('starts at eps = 0 (zero-initialised output conv), like the MLP', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    const spec = unetSpec({ height: 28, width: 28, channels: 1, ...TINY })
    const weights = UnetWeightSet.fromArrays(spec, initialUnetWeights(spec, Rng.fromSeed(3)), false, 'zero')
    tf.tidy(() => {
      const eps = unetForward(spec, weights.params, tf.ones([1, 28, 28, 1]) as tf.Tensor4D, embeddingFor([10], 8))
      expect(tf.max(tf.abs(eps)).dataSync()[0]).toBe(0)
    })
    weights.dispose()
  })
})

describe('UnetWeightSet', () => {
  it('round-trips through arrays, copies frozen, and averages in place', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    const spec = unetSpec({ height: 28, width: 28, channels: 1, ...TINY })
    const a = randomArrays(spec, 4)
    const b = randomArrays(spec, 5)
    const student = UnetWeightSet.fromArrays(spec, a, true, 'student')
    const target = UnetWeightSet.fromArrays(spec, b, false, 'target')
    expect(student.names()).toEqual(unetParameterShapes(spec).map((p) => p.name))
    expect(student.variables().every((v) => v.trainable)).toBe(true)
    expect(Array.from((await student.toArrays())['up0.res1.conv2.W']?.data as Float32Array)).toEqual(
      Array.from(a['up0.res1.conv2.W']?.data as Float32Array),
    )
    const copy = student.copy(false, 'ema')
    expect(copy.variables().some((v) => v.trainable)).toBe(false)
    target.emaFrom(student, 0.9)
    const got = (await target.toArrays())['mid.res0.temb.W']?.data as Float32Array
    const sa = a['mid.res0.temb.W']?.data as Float32Array
    const sb = b['mid.res0.temb.W']?.data as Float32Array
    for (let i = 0; i < 5; i++) expect(got[i]).toBeCloseTo(0.9 * (sb[i] as number) + 0.1 * (sa[i] as number), 6)
    tf.dispose([...student.variables(), ...target.variables(), ...copy.variables()])
  })

  it('refuses a checkpoint of another architecture, naming the parameter', () => {
    const small = unetSpec({ height: 28, width: 28, channels: 1, ...TINY })
    const wide = unetSpec({ height: 28, width: 28, channels: 1, ...TINY, baseChannels: 16 })
    const arrays = initialUnetWeights(small, Rng.fromSeed(1))
    expect(() => UnetWeightSet.fromArrays(wide, arrays, true, 'student')).toThrow(
      /unet weights \(student\): temb\.dense0\.W has shape \[8,32\] .* expected \[8,64\]/,
    )
    delete arrays['mid.res1.norm2.beta']
    expect(() => UnetWeightSet.fromArrays(small, arrays, true, 'student')).toThrow(
      'unet weights (student): mid.res1.norm2.beta is missing',
    )
  })
})

/** GroupNorm written with plain ops, differentiated by tfjs: the reference for the closed-form gradient. */
function plainGroupNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, G: number): tf.Tensor {
  const [B, H, W, C] = x.shape
  const g = tf.reshape(x, [B, H * W, G, C / G])
  const { mean, variance } = tf.moments(g, [1, 3], true)
  return tf.add(tf.mul(tf.reshape(tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, 1e-5))), x.shape), gamma), beta)
}

for (const backend of BACKENDS) {
  describe(`hand-written gradients on ${backend}`, () => {
    it('groupNorm matches autodiff of the plain-op version', async () => {
      expect(await tf.setBackend(backend)).toBe(true)
      tf.tidy(() => {
        const x = tf.mul(tf.randomNormal([2, 5, 3, 8], 0, 1, 'float32', 1), 3) as tf.Tensor4D
        const gamma = tf.randomNormal([8], 1, 0.3, 'float32', 2)
        const beta = tf.randomNormal([8], 0, 0.3, 'float32', 3)
        const dy = tf.randomNormal([2, 5, 3, 8], 0, 1, 'float32', 4)
        expect(maxAbsDiff(groupNorm(x, gamma, beta, 4), plainGroupNorm(x, gamma, beta, 4))).toBeLessThan(1e-5)
        const f = (fn: (a: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
          tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fn(a as tf.Tensor4D, g, b), dy)))
        const mine = f((a, g, b) => groupNorm(a, g, b, 4))([x, gamma, beta])
        const ref = f((a, g, b) => plainGroupNorm(a, g, b, 4))([x, gamma, beta])
        mine.forEach((t, i) => expect(maxAbsDiff(t, ref[i] as tf.Tensor)).toBeLessThan(1e-4))
      })
    })

    it('upsample2x matches nearest-neighbour resize, and its gradient sums each 2x2 block', async () => {
      expect(await tf.setBackend(backend)).toBe(true)
      const [B, H, W, C] = [2, 3, 4, 5]
      const dyv = Float32Array.from({ length: B * 4 * H * W * C }, (_, i) => Math.sin(i))
      // Written out rather than taken from tfjs: the cpu backend's ResizeNearestNeighborGrad (4.22) reads dy
      // at the input's batch offset, so its gradient is wrong for batch > 1.
      const expected = new Float32Array(B * H * W * C)
      for (let b = 0; b < B; b++)
        for (let y = 0; y < 2 * H; y++)
          for (let x = 0; x < 2 * W; x++)
            for (let c = 0; c < C; c++) {
              const i = ((b * H + (y >> 1)) * W + (x >> 1)) * C + c
              expected[i] = (expected[i] as number) + (dyv[((b * 2 * H + y) * 2 * W + x) * C + c] as number)
            }
      tf.tidy(() => {
        const x = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 6) as tf.Tensor4D
        const dy = tf.tensor4d(dyv, [B, 2 * H, 2 * W, C])
        expect(maxAbsDiff(upsample2x(x), tf.image.resizeNearestNeighbor(x, [2 * H, 2 * W]))).toBe(0)
        const mine = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(upsample2x(a as tf.Tensor4D), dy)))(x)
        expect(maxAbsDiff(mine, tf.tensor4d(expected, [B, H, W, C]))).toBeLessThan(1e-5)
      })
    })
  })
}

/** Loss of the eps-prediction objective on a fixed batch, as the teacher trainer would form it. */
function batch(spec: UnetSpec, size: number, seed: number) {
  const rng = Rng.fromSeed(seed)
  const n = size * spec.height * spec.width * spec.channels
  const shape: [number, number, number, number] = [size, spec.height, spec.width, spec.channels]
  // "Images": smooth blobs in [-1, 1] plus noise at per-example levels, so eps is partly predictable.
  const x0 = new Float32Array(n).map((_, i) => Math.sin(i / 7) * 0.8)
  const eps = rng.normals(n)
  const steps = Array.from({ length: size }, (_, b) => 100 + 250 * b)
  const xNoisy = new Float32Array(n)
  const per = n / size
  for (let i = 0; i < n; i++) {
    const k = steps[Math.floor(i / per)] as number
    const a = Math.exp(-k / 300)
    xNoisy[i] = Math.sqrt(a) * (x0[i] as number) + Math.sqrt(1 - a) * (eps[i] as number)
  }
  return {
    x: () => tf.tensor4d(xNoisy, shape),
    eps: () => tf.tensor4d(eps, shape),
    embedding: () => embeddingFor(steps, spec.timeEmbeddingDim),
  }
}

const lossOf = (spec: UnetSpec, params: Readonly<Record<string, tf.Tensor>>, data: ReturnType<typeof batch>) => () =>
  tf.mean(tf.square(tf.sub(unetForward(spec, params, data.x(), data.embedding()), data.eps()))) as tf.Scalar

describe('whole-network gradient', () => {
  const spec = unetSpec({ height: 8, width: 8, channels: 2, ...TINY, channelMultipliers: [1, 2] })
  const data = batch(spec, 2, 11)

  function gradients(backend: 'cpu' | 'wasm'): Record<string, Float32Array> {
    const weights = UnetWeightSet.fromArrays(spec, randomArrays(spec, 12), true, `grad-${backend}`)
    const out = tf.tidy(() => {
      const { grads } = tf.variableGrads(lossOf(spec, weights.params, data), weights.variables())
      return Object.fromEntries(
        weights
          .names()
          .map((n, i) => [
            n,
            (grads[(weights.variables()[i] as tf.Variable).name] as tf.Tensor).dataSync() as Float32Array,
          ]),
      )
    })
    weights.dispose()
    return out
  }

  it('agrees between cpu and wasm for every parameter', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    const cpu = gradients('cpu')
    expect(await tf.setBackend('wasm')).toBe(true)
    const wasm = gradients('wasm')
    for (const [name, g] of Object.entries(cpu)) {
      const w = wasm[name] as Float32Array
      const scale = Math.max(1e-3, ...Array.from(g, Math.abs))
      let worst = 0
      for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs((g[i] as number) - (w[i] as number)))
      expect(worst / scale, name).toBeLessThan(1e-3)
    }
  })

  it('matches a central finite difference along a random direction (cpu)', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    const grads = gradients('cpu')
    const base = randomArrays(spec, 12)
    const rng = Rng.fromSeed(13)
    const raw = Object.entries(base).map(([n, a]) => [n, rng.normals(a.data.length)] as const)
    // A unit direction, so h is the length of the step in weight space.
    const norm = Math.sqrt(raw.reduce((acc, [, d]) => acc + d.reduce((x, v) => x + v * v, 0), 0))
    const direction: Record<string, Float32Array> = Object.fromEntries(raw.map(([n, d]) => [n, d.map((v) => v / norm)]))
    const lossAt = (h: number): number => {
      const shifted: WeightArrays = Object.fromEntries(
        Object.entries(base).map(([n, a]) => [
          n,
          { shape: a.shape, data: a.data.map((v, i) => v + h * ((direction[n] as Float32Array)[i] as number)) },
        ]),
      )
      const w = UnetWeightSet.fromArrays(spec, shifted, false, 'fd')
      const value = tf.tidy(() => lossOf(spec, w.params, data)().dataSync()[0] as number)
      w.dispose()
      return value
    }
    const h = 3e-2
    const numeric = (lossAt(h) - lossAt(-h)) / (2 * h)
    let analytic = 0
    for (const [n, g] of Object.entries(grads))
      g.forEach((v, i) => (analytic += v * ((direction[n] as Float32Array)[i] as number)))
    expect(Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(analytic))).toBeLessThan(5e-3)
  })
})

for (const backend of BACKENDS) {
  describe(`eps-prediction training on ${backend}`, () => {
    it('a few Adam steps lower the loss on a tiny batch, leaking no tensors per step', async () => {
      expect(await tf.setBackend(backend)).toBe(true)
      const spec = unetSpec({ height: 16, width: 16, channels: 1, ...TINY })
      const weights = UnetWeightSet.fromArrays(
        spec,
        initialUnetWeights(spec, Rng.fromSeed(21)),
        true,
        `train-${backend}`,
      )
      const adam = new Adam(weights.variables())
      const data = batch(spec, 4, 22)
      const losses: number[] = []
      const counts: number[] = []
      for (let step = 0; step < 6; step++) {
        const loss = tf.tidy(() => minimize(adam, weights.variables(), lossOf(spec, weights.params, data), 3e-3))
        losses.push((await loss.data())[0] as number)
        loss.dispose()
        counts.push(tf.memory().numTensors)
      }
      expect(losses.every(Number.isFinite)).toBe(true)
      expect(losses.at(-1) as number).toBeLessThan((losses[0] as number) * 0.9)
      expect(new Set(counts).size).toBe(1)
      // Adam's state names the parameters, for the checkpoint.
      expect(Object.keys((await adam.save(weights.names())).firstMoment)).toEqual(weights.names())
      adam.dispose()
      weights.dispose()
    })
  })
}

afterAll(async () => {
  await tf.setBackend('cpu')
})
