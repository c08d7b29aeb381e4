/**
 * The conv-gradient kernels of conv-kernels.ts against a plain-loop reference (written out here, so it
 * does not share code or formulas with what it checks): tf.grads of a conv2d on cpu and on wasm, strided,
 * 'same' / 'valid' / explicit padding, 1x1 and non-square filters, plus the NCHW branch, the wasm fallback
 * for paddings the formula does not cover, the backend check, and no leaked tensors.
 */
import { afterAll, describe, expect, it } from 'vitest'
import {
  assertBackendTrainsConv,
  conv2dBackpropFilterByConv,
  conv2dBackpropInputByConv,
  registerConvGradientKernels,
} from '../../src-main/engine/conv-kernels'
import { tf } from '../../src-main/engine/tf'
import { lcgValues } from '../helpers/values'

registerConvGradientKernels()

const values = (n: number, seed: number): Float32Array => lcgValues(n, seed)

type Shape4 = [number, number, number, number]
type Padding = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]]

interface Case {
  x: Shape4
  W: Shape4
  stride: number
  pad: Padding
}

/** TensorFlow's padding rule, written from its documentation. */
function pads(c: Case): { OH: number; OW: number; top: number; left: number } {
  const [, H, Wd] = c.x
  const [kh, kw] = c.W
  const s = c.stride
  if (c.pad === 'valid') return { OH: Math.ceil((H - kh + 1) / s), OW: Math.ceil((Wd - kw + 1) / s), top: 0, left: 0 }
  if (c.pad === 'same') {
    const OH = Math.ceil(H / s)
    const OW = Math.ceil(Wd / s)
    return {
      OH,
      OW,
      top: Math.floor(Math.max((OH - 1) * s + kh - H, 0) / 2),
      left: Math.floor(Math.max((OW - 1) * s + kw - Wd, 0) / 2),
    }
  }
  const [[,], [t, b], [l, r]] = c.pad
  return { OH: Math.floor((H + t + b - kh) / s) + 1, OW: Math.floor((Wd + l + r - kw) / s) + 1, top: t, left: l }
}

function outSize(c: Case): number {
  const { OH, OW } = pads(c)
  return c.x[0] * OH * OW * c.W[3]
}

/** y = conv(x, W) and, for L = sum(y * R), dL/dx and dL/dW, by direct summation in float64. */
function reference(c: Case, x: Float32Array, W: Float32Array, R: Float32Array) {
  const [B, H, Wd, C] = c.x
  const [kh, kw, , F] = c.W
  const { OH, OW, top, left } = pads(c)
  const y = new Float64Array(B * OH * OW * F)
  const dx = new Float64Array(x.length)
  const dW = new Float64Array(W.length)
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const yy = oy * c.stride + i - top
            const xx = ox * c.stride + j - left
            if (yy < 0 || yy >= H || xx < 0 || xx >= Wd) continue
            for (let ch = 0; ch < C; ch++) {
              const xi = ((b * H + yy) * Wd + xx) * C + ch
              for (let f = 0; f < F; f++) {
                const wi = ((i * kw + j) * C + ch) * F + f
                const oi = ((b * OH + oy) * OW + ox) * F + f
                y[oi] = (y[oi] as number) + (x[xi] as number) * (W[wi] as number)
                dx[xi] = (dx[xi] as number) + (W[wi] as number) * (R[oi] as number)
                dW[wi] = (dW[wi] as number) + (x[xi] as number) * (R[oi] as number)
              }
            }
          }
  return { y, dx, dW, outShape: [B, OH, OW, F] as Shape4 }
}

function expectClose(actual: tf.Tensor, expected: Float64Array, what: string): void {
  const a = actual.dataSync()
  expect(a.length, what).toBe(expected.length)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (expected[i] as number)))
  expect(worst, what).toBeLessThan(1e-4)
}

const CASES: Case[] = [
  { x: [2, 7, 7, 3], W: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 8, 8, 3], W: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { x: [2, 7, 6, 3], W: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [1, 9, 8, 2], W: [3, 2, 2, 3], stride: 2, pad: 'valid' },
  { x: [2, 6, 6, 4], W: [1, 1, 4, 3], stride: 1, pad: 'same' },
  {
    x: [2, 6, 6, 2],
    W: [3, 3, 2, 2],
    stride: 1,
    pad: [
      [0, 0],
      [2, 1],
      [0, 1],
      [0, 0],
    ],
  },
  // Top padding larger than kh - 1: the input gradient is not a plain "full" correlation (wasm falls back).
  {
    x: [1, 5, 5, 2],
    W: [1, 1, 2, 2],
    stride: 1,
    pad: [
      [0, 0],
      [1, 0],
      [0, 2],
      [0, 0],
    ],
  },
]

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`conv2d gradients on ${backend}`, () => {
    for (const c of CASES) {
      it(`x ${c.x} W ${c.W} stride ${c.stride} pad ${JSON.stringify(c.pad)}`, async () => {
        expect(await tf.setBackend(backend)).toBe(true)
        const xv = values(
          c.x.reduce((a, b) => a * b),
          1,
        )
        const Wv = values(
          c.W.reduce((a, b) => a * b),
          2,
        )
        const R = values(outSize(c), 3)
        const expected = reference(c, xv, Wv, R)
        const before = tf.memory().numTensors
        tf.tidy(() => {
          const x = tf.tensor4d(xv, c.x)
          const W = tf.tensor4d(Wv, c.W)
          const r = tf.tensor4d(R, expected.outShape)
          expectClose(tf.conv2d(x, W, c.stride, c.pad), expected.y, 'forward')
          const [dx, dW] = tf.grads((a: tf.Tensor, w: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad), r)),
          )([x, W])
          expectClose(dx as tf.Tensor, expected.dx, 'dL/dx')
          expectClose(dW as tf.Tensor, expected.dW, 'dL/dW')
        })
        expect(tf.memory().numTensors).toBe(before)
      })
    }

    it('fused conv2d with bias (the U-Net layer): bias gradient too', async () => {
      expect(await tf.setBackend(backend)).toBe(true)
      const c: Case = { x: [3, 6, 6, 2], W: [3, 3, 2, 4], stride: 2, pad: 'same' }
      const xv = values(72 * 3, 4)
      const Wv = values(72, 5)
      const R = values(outSize(c), 6)
      const expected = reference(c, xv, Wv, R)
      const shape = expected.outShape
      tf.tidy(() => {
        const r = tf.tensor4d(R, shape)
        const [dx, dW, db] = tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.fused.conv2d({ x: a as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 2, pad: 'same' }),
              r,
            ),
          ),
        )([tf.tensor4d(xv, c.x), tf.tensor4d(Wv, c.W), tf.tensor1d([0.1, -0.2, 0.3, 0])])
        expectClose(dx as tf.Tensor, expected.dx, 'dL/dx')
        expectClose(dW as tf.Tensor, expected.dW, 'dL/dW')
        const sums = new Float64Array(4)
        R.forEach((v, i) => (sums[i % 4] = (sums[i % 4] as number) + v))
        expectClose(db as tf.Tensor, sums, 'dL/db')
      })
    })
  })
}

describe('the formulas directly', () => {
  it('handle NCHW inputs', async () => {
    expect(await tf.setBackend('wasm')).toBe(true)
    const c: Case = { x: [2, 6, 5, 3], W: [3, 3, 3, 2], stride: 2, pad: 'same' }
    const xv = values(180, 7)
    const Wv = values(54, 8)
    const R = values(outSize(c), 9)
    const expected = reference(c, xv, Wv, R)
    const shape = expected.outShape
    tf.tidy(() => {
      const toNchw = (t: tf.Tensor4D) => tf.transpose(t, [0, 3, 1, 2]) as tf.Tensor4D
      const dyNchw = toNchw(tf.tensor4d(R, shape))
      const dW = conv2dBackpropFilterByConv(toNchw(tf.tensor4d(xv, c.x)), dyNchw, {
        strides: 2,
        pad: 'same',
        dataFormat: 'NCHW',
        filterShape: c.W,
      })
      expectClose(dW, expected.dW, 'dL/dW from NCHW')
      const dx = conv2dBackpropInputByConv(dyNchw, tf.tensor4d(Wv, c.W), {
        strides: 2,
        pad: 'same',
        dataFormat: 'NCHW',
        inputShape: [2, 3, 6, 5],
      })
      expect(dx).not.toBeNull()
      expectClose(tf.transpose(dx as tf.Tensor, [0, 2, 3, 1]), expected.dx, 'dL/dx to NCHW')
    })
  })

  it('report the paddings the input-gradient formula cannot express', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    tf.tidy(() => {
      const dx = conv2dBackpropInputByConv(
        tf.zeros([1, 6, 7, 2]) as tf.Tensor4D,
        tf.zeros([1, 1, 2, 2]) as tf.Tensor4D,
        {
          strides: 1,
          pad: [
            [0, 0],
            [1, 0],
            [0, 2],
            [0, 0],
          ],
          inputShape: [1, 5, 5, 2],
        },
      )
      expect(dx).toBeNull()
    })
  })
})

describe('assertBackendTrainsConv', () => {
  it('accepts cpu and wasm, and refuses a backend without the kernels, naming them and the way out', () => {
    expect(() => assertBackendTrainsConv('cpu')).not.toThrow()
    expect(() => assertBackendTrainsConv('wasm')).not.toThrow()
    // A backend name tfjs has no kernels for at all.
    expect(() => assertBackendTrainsConv('no-such-backend')).toThrow(
      /backend "no-such-backend" cannot train a conv model: .*Conv2DBackpropInput.*Pick wasm or cpu/,
    )
  })

  it('#18 registers the forward-conv filter gradient for webgpu too', () => {
    registerConvGradientKernels()
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')?.kernelFunc).toBe(
      tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc,
    )
  })

  it('re-registers its kernels when something overwrote them', () => {
    const ours = tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc
    tf.unregisterKernel('Conv2DBackpropFilter', 'wasm')
    expect(() => assertBackendTrainsConv('wasm')).not.toThrow()
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(ours)
  })
})

afterAll(async () => {
  await tf.setBackend('cpu')
})
