/**
 * The hand-written dense / SiLU ops against tfjs's own autodiff of the plain ops, on the cpu backend (where
 * they run as JS loops) and on wasm (fused matMul + explicit transposes): values and gradients agree to
 * ~1e-5 on random inputs, the cpu path is deterministic, and a training-style step leaks no tensors.
 */
import '@tensorflow/tfjs-backend-wasm'
import { afterAll, describe, expect, it } from 'vitest'
import { mlpForward, type MlpWeights } from '../../src-main/engine/mlp'
import { dense, silu } from '../../src-main/engine/ops'
import { tf, type Tensor1D, type Tensor2D } from '../../src-main/engine/tf'
import { lcgValues } from '../helpers/values'

const values = (n: number, seed: number, scale = 1): Float32Array => lcgValues(n, seed, scale)

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync()
  const y = b.dataSync()
  expect(a.shape).toEqual(b.shape)
  let worst = 0
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs((x[i] as number) - (y[i] as number)) / Math.max(1, Math.abs(y[i] as number))
    worst = Math.max(worst, d)
  }
  return worst
}

/** A small MLP (with the real first-layer shape) and its plain-op reference forward. */
function makeNet(seed: number): MlpWeights {
  const shapes: Array<[number, number]> = [
    [34, 48],
    [48, 48],
    [48, 2],
  ]
  return shapes.map(([i, o], l) => ({
    W: tf.variable(
      tf.tensor2d(values(i * o, seed + l, Math.sqrt(3 / i)), [i, o]),
      true,
      `ops-test-W${l}-${seed}-${Math.random()}`,
    ),
    b: tf.variable(tf.tensor1d(values(o, seed + 10 + l, 0.1)), true, `ops-test-b${l}-${seed}-${Math.random()}`),
  }))
}

function referenceForward(weights: MlpWeights, x: Tensor2D, embedding: Tensor2D): Tensor2D {
  let h = tf.concat([x, embedding], 1)
  weights.forEach((layer, i) => {
    h = tf.add(tf.matMul(h, layer.W as Tensor2D), layer.b)
    if (i < weights.length - 1) h = tf.mul(h, tf.sigmoid(h))
  })
  return h
}

const TOL = 1e-5

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`ops on ${backend}`, () => {
    it('dense matches x W + b and its autodiff gradients', async () => {
      expect(await tf.setBackend(backend)).toBe(true)
      tf.tidy(() => {
        const x = tf.tensor2d(values(37 * 29, 1, 2), [37, 29])
        const W = tf.tensor2d(values(29 * 23, 2), [29, 23])
        const b = tf.tensor1d(values(23, 3))
        const dy = tf.tensor2d(values(37 * 23, 4), [37, 23])
        const mine = tf.grads((a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(dense(a as Tensor2D, w as Tensor2D, c as Tensor1D), dy)),
        )
        const ref = tf.grads((a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(tf.add(tf.matMul(a as Tensor2D, w as Tensor2D), c), dy)),
        )
        expect(maxRelDiff(dense(x, W, b), tf.add(tf.matMul(x, W), b))).toBeLessThan(TOL)
        const g = mine([x, W, b])
        const r = ref([x, W, b])
        g.forEach((t, i) => expect(maxRelDiff(t, r[i] as tf.Tensor)).toBeLessThan(TOL))
      })
    })

    it('silu matches x sigmoid(x) and its autodiff gradient', async () => {
      expect(await tf.setBackend(backend)).toBe(true)
      tf.tidy(() => {
        const x = tf.tensor2d(values(41 * 17, 5, 8), [41, 17])
        const dy = tf.tensor2d(values(41 * 17, 6), [41, 17])
        expect(maxRelDiff(silu(x), tf.mul(x, tf.sigmoid(x)))).toBeLessThan(TOL)
        const mine = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(silu(a as Tensor2D), dy)))(x)
        const ref = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.mul(a, tf.sigmoid(a)), dy)))(x)
        expect(maxRelDiff(mine, ref)).toBeLessThan(TOL)
      })
    })

    it('mlpForward and its weight gradients match the plain-op network; no leaks', async () => {
      expect(await tf.setBackend(backend)).toBe(true)
      const net = makeNet(7)
      const vars = net.flatMap((l) => [l.W, l.b]) as tf.Variable[]
      const x = tf.tensor2d(values(64 * 2, 8, 2), [64, 2])
      const emb = tf.tensor2d(values(64 * 32, 9), [64, 32])
      const target = tf.tensor2d(values(64 * 2, 10), [64, 2])
      const loss = (f: typeof mlpForward) => () => tf.mean(tf.square(tf.sub(f(net, x, emb), target))) as tf.Scalar
      tf.tidy(() => {
        expect(maxRelDiff(mlpForward(net, x, emb), referenceForward(net, x, emb))).toBeLessThan(TOL)
        const mine = tf.variableGrads(loss(mlpForward), vars)
        const ref = tf.variableGrads(loss(referenceForward), vars)
        expect(maxRelDiff(mine.value, ref.value)).toBeLessThan(TOL)
        for (const v of vars)
          expect(maxRelDiff(mine.grads[v.name] as tf.Tensor, ref.grads[v.name] as tf.Tensor)).toBeLessThan(TOL)
      })
      // A few update steps: the tensor count stays put.
      const step = () =>
        tf.tidy(() => {
          const { grads } = tf.variableGrads(loss(mlpForward), vars)
          for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name] as tf.Tensor, 0.01)))
        })
      step()
      const before = tf.memory().numTensors
      for (let i = 0; i < 3; i++) step()
      expect(tf.memory().numTensors).toBe(before)
      tf.dispose([x, emb, target, ...vars])
    })
  })
}

describe('determinism on cpu', () => {
  it('the same inputs give bit-identical outputs and gradients', async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
    const run = () =>
      tf.tidy(() => {
        const net = makeNet(11)
        const vars = net.flatMap((l) => [l.W, l.b]) as tf.Variable[]
        const x = tf.tensor2d(values(50 * 2, 12, 2), [50, 2])
        const emb = tf.tensor2d(values(50 * 32, 13), [50, 32])
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(mlpForward(net, x, emb))) as tf.Scalar, vars)
        const out = [value, ...vars.map((v) => grads[v.name] as tf.Tensor)].map((t) => Array.from(t.dataSync()))
        tf.dispose(vars)
        return out
      })
    expect(run()).toEqual(run())
  })
})

afterAll(async () => {
  await tf.setBackend('cpu')
})
