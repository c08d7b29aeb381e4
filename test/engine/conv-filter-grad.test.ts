/**
 * #18 The wasm filter gradient as im2col + MatMul (conv-filter-grad.ts) against tfjs's own cpu kernel:
 * tf.grad through tf.conv2d on the cpu backend before this engine replaces any kernel, vs ours on wasm,
 * called directly (it must take the new path: not null) and through the registered Conv2DBackpropFilter.
 * Strides 1 and 2, 'same' / 'valid' / explicit padding, 1x1 and 3x3 and non-square filters, C != F,
 * one input channel, batch chunks, NCHW, the shapes it leaves to the conv formulation, and no leaks.
 */
import '@tensorflow/tfjs-backend-wasm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { conv2dBackpropFilterByMatMul, MIN_FILTERS } from '../../src-main/engine/conv-filter-grad'
import type { BackpropFilterAttrs } from '../../src-main/engine/conv-kernels'
import { tf } from '../../src-main/engine/tf'
import { lcgValues } from '../helpers/values'

type Shape4 = [number, number, number, number]
type Pad = BackpropFilterAttrs['pad']

interface Case {
  x: Shape4
  W: Shape4
  stride: number
  pad: Pad
}

const values = (n: number, seed: number): Float32Array => lcgValues(n, seed)

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1)

/** tfjs's own cpu Conv2DBackpropFilter (nothing here registers ours): dL/dW for L = sum(conv2d(x, W) * r). */
async function cpuReference(c: Case, xv: Float32Array, Wv: Float32Array): Promise<{ dW: Float32Array; dy: Shape4 }> {
  expect(await tf.setBackend('cpu')).toBe(true)
  const kernel = tf.getKernel('Conv2DBackpropFilter', 'cpu')
  // The replacement registers under the same name; this file never loads it, so the kernel is tfjs's.
  expect(kernel?.kernelFunc.name).toBe('conv2DBackpropFilter')
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x)
    const W = tf.tensor4d(Wv, c.W)
    const y = tf.conv2d(x, W, c.stride, c.pad as 'same')
    const r = tf.tensor4d(values(y.size, 3), y.shape)
    const dW = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, c.stride, c.pad as 'same'), r)))(
      W,
    )
    return { dW: dW.dataSync() as Float32Array, dy: y.shape }
  })
}

function worstDiff(a: Float32Array | Int32Array | Uint8Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)))
  return worst
}

const explicit = (t: number, b: number, l: number, r: number): Pad => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
]

const COVERED: Case[] = [
  { x: [3, 7, 7, 5], W: [3, 3, 5, 8], stride: 1, pad: 'same' },
  { x: [2, 8, 6, 12], W: [3, 3, 12, 9], stride: 1, pad: 'valid' },
  { x: [2, 6, 6, 4], W: [1, 1, 4, 10], stride: 1, pad: 'same' },
  { x: [2, 9, 8, 1], W: [3, 3, 1, 16], stride: 1, pad: 'same' },
  { x: [2, 7, 6, 3], W: [3, 2, 3, 8], stride: 1, pad: explicit(2, 1, 0, 1) },
  // A 1x1 filter with padding is not the plain product: the padded grid path takes it.
  { x: [1, 5, 5, 2], W: [1, 1, 2, 8], stride: 1, pad: explicit(1, 0, 0, 2) },
]

describe('#18 conv2dBackpropFilterByMatMul on wasm vs tfjs cpu Conv2DBackpropFilter', () => {
  for (const c of COVERED) {
    it(`x ${c.x} W ${c.W} stride ${c.stride} pad ${JSON.stringify(c.pad)}`, async () => {
      const xv = values(size(c.x), 1)
      const Wv = values(size(c.W), 2)
      const ref = await cpuReference(c, xv, Wv)
      expect(await tf.setBackend('wasm')).toBe(true)
      const before = tf.memory().numTensors
      for (const colsBytes of [undefined, 1]) {
        // colsBytes 1: one image per chunk, so the chunks' products are summed.
        const got = tf.tidy(() => {
          const dW = conv2dBackpropFilterByMatMul(
            tf.tensor4d(xv, c.x),
            tf.tensor4d(values(size(ref.dy), 3), ref.dy),
            { strides: c.stride, pad: c.pad, filterShape: c.W },
            tf.backend(),
            colsBytes,
          )
          expect(dW).not.toBeNull()
          expect((dW as tf.Tensor).shape).toEqual(c.W)
          return (dW as tf.Tensor).dataSync()
        })
        expect(worstDiff(got, ref.dW)).toBeLessThan(1e-4)
      }
      expect(tf.memory().numTensors).toBe(before)
    })
  }

  it('takes NCHW inputs', async () => {
    const c: Case = { x: [2, 6, 5, 3], W: [3, 3, 3, 8], stride: 1, pad: 'same' }
    const xv = values(size(c.x), 4)
    const Wv = values(size(c.W), 5)
    const ref = await cpuReference(c, xv, Wv)
    expect(await tf.setBackend('wasm')).toBe(true)
    const got = tf.tidy(() => {
      const toNchw = (t: tf.Tensor4D) => tf.transpose(t, [0, 3, 1, 2]) as tf.Tensor4D
      const dW = conv2dBackpropFilterByMatMul(
        toNchw(tf.tensor4d(xv, c.x)),
        toNchw(tf.tensor4d(values(size(ref.dy), 3), ref.dy)),
        { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: c.W },
        tf.backend(),
      )
      return (dW as tf.Tensor).dataSync()
    })
    expect(worstDiff(got, ref.dW)).toBeLessThan(1e-5)
  })

  it('leaves strides above 1, few filters and heapless backends to the conv formulation (null)', async () => {
    expect(await tf.setBackend('wasm')).toBe(true)
    tf.tidy(() => {
      const x = tf.ones([1, 6, 6, 2]) as tf.Tensor4D
      const strided = conv2dBackpropFilterByMatMul(
        x,
        tf.ones([1, 3, 3, 8]) as tf.Tensor4D,
        {
          strides: 2,
          pad: 'same',
          filterShape: [3, 3, 2, 8],
        },
        tf.backend(),
      )
      expect(strided).toBeNull()
      const few = MIN_FILTERS - 1
      expect(
        conv2dBackpropFilterByMatMul(
          x,
          tf.ones([1, 6, 6, few]) as tf.Tensor4D,
          {
            strides: 1,
            pad: 'same',
            filterShape: [3, 3, 2, few],
          },
          tf.backend(),
        ),
      ).toBeNull()
    })
    expect(await tf.setBackend('cpu')).toBe(true)
    tf.tidy(() => {
      const dW = conv2dBackpropFilterByMatMul(
        tf.ones([1, 6, 6, 2]),
        tf.ones([1, 6, 6, 8]),
        {
          strides: 1,
          pad: 'same',
          filterShape: [3, 3, 2, 8],
        },
        tf.backend(),
      )
      expect(dW).toBeNull()
    })
  })

  it('names the shapes when dy does not fit the filter', async () => {
    expect(await tf.setBackend('wasm')).toBe(true)
    tf.tidy(() => {
      expect(() =>
        conv2dBackpropFilterByMatMul(
          tf.ones([1, 6, 6, 2]),
          tf.ones([1, 6, 6, 9]),
          {
            strides: 1,
            pad: 'same',
            filterShape: [3, 3, 2, 8],
          },
          tf.backend(),
        ),
      ).toThrow(/dy is \[1,6,6,9\] and x is \[1,6,6,2\], which do not fit filter \[3,3,2,8\]/)
    })
  })
})

describe('#18 the registered wasm Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    const { registerConvGradientKernels } = await import('../../src-main/engine/conv-kernels')
    registerConvGradientKernels()
  })

  it('is the matmul path for a stride-1 conv (a BatchMatMul, no second Conv2D) and agrees with cpu', async () => {
    const c: Case = { x: [4, 8, 8, 6], W: [3, 3, 6, 12], stride: 1, pad: 'same' }
    const xv = values(size(c.x), 6)
    const Wv = values(size(c.W), 7)
    // Registered, the cpu kernel is this engine's too, so the reference here is a float64 sum.
    const dy = [c.x[0], 8, 8, 12] as Shape4
    const R = values(size(dy), 3)
    const expected = new Float64Array(size(c.W))
    for (let b = 0; b < 4; b++)
      for (let oy = 0; oy < 8; oy++)
        for (let ox = 0; ox < 8; ox++)
          for (let i = 0; i < 3; i++)
            for (let j = 0; j < 3; j++) {
              const yy = oy + i - 1
              const xx = ox + j - 1
              if (yy < 0 || yy >= 8 || xx < 0 || xx >= 8) continue
              for (let ch = 0; ch < 6; ch++)
                for (let f = 0; f < 12; f++) {
                  const k = ((i * 3 + j) * 6 + ch) * 12 + f
                  expected[k] =
                    (expected[k] as number) +
                    (xv[((b * 8 + yy) * 8 + xx) * 6 + ch] as number) * (R[((b * 8 + oy) * 8 + ox) * 12 + f] as number)
                }
            }
    expect(await tf.setBackend('wasm')).toBe(true)
    const x = tf.tensor4d(xv, c.x)
    const W = tf.tensor4d(Wv, c.W)
    const r = tf.tensor4d(R, dy)
    let got: Float32Array | undefined
    const profile = await tf.profile(() => {
      const dW = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'), r)))(W)
      got = dW.dataSync() as Float32Array
      dW.dispose()
    })
    tf.dispose([x, W, r])
    const names = profile.kernels.map((k) => k.name)
    expect(names.filter((n) => n === 'Conv2D')).toHaveLength(1)
    expect(names).toContain('BatchMatMul')
    let worst = 0
    for (let i = 0; i < expected.length; i++)
      worst = Math.max(worst, Math.abs(((got as Float32Array)[i] as number) - (expected[i] as number)))
    expect(worst).toBeLessThan(1e-4)
  })
})

afterAll(async () => {
  await tf.setBackend('cpu')
})
