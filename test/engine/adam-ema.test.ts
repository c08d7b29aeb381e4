import { beforeAll, describe, expect, it } from 'vitest'
import { Adam, learningRateAt } from '../../src-main/engine/adam'
import { tf } from '../../src-main/engine/tf'
import { WeightSet } from '../../src-main/engine/weights'
import { useCpu } from '../helpers/engine'

beforeAll(useCpu)

describe('Adam', () => {
  it("matches PyTorch's update rule step by step", () => {
    const p = tf.variable(tf.tensor1d([1, -2]))
    const adam = new Adam([p], 0.9, 0.999, 1e-8)
    const grads = [
      [0.5, -1],
      [0.1, 2],
      [-0.3, 0.4],
    ]
    let expected = [1, -2]
    let m = [0, 0]
    let v = [0, 0]
    grads.forEach((g, t) => {
      tf.tidy(() => adam.apply([tf.tensor1d(g)], 0.01))
      m = m.map((mi, i) => 0.9 * mi + 0.1 * (g[i] as number))
      v = v.map((vi, i) => 0.999 * vi + 0.001 * (g[i] as number) ** 2)
      const b1 = 1 - 0.9 ** (t + 1)
      const b2 = 1 - 0.999 ** (t + 1)
      expected = expected.map(
        (e, i) => e - (0.01 / b1) * ((m[i] as number) / (Math.sqrt(v[i] as number) / Math.sqrt(b2) + 1e-8)),
      )
    })
    Array.from(p.dataSync()).forEach((value, i) => expect(value).toBeCloseTo(expected[i] as number, 5))
    adam.dispose()
    p.dispose()
  })

  it('warm-up then cosine decay', () => {
    expect(learningRateAt(1, 1e-3, 100, 10, 'cosine')).toBeCloseTo(1e-4, 10)
    expect(learningRateAt(10, 1e-3, 100, 10, 'cosine')).toBeCloseTo(1e-3, 10)
    expect(learningRateAt(11, 1e-3, 100, 10, 'cosine')).toBeCloseTo(1e-3, 10)
    expect(learningRateAt(56, 1e-3, 100, 10, 'cosine')).toBeCloseTo(5e-4, 10)
    const last = learningRateAt(100, 1e-3, 100, 10, 'cosine')
    expect(last).toBeGreaterThan(0)
    expect(last).toBeLessThan(1e-6)
    expect(learningRateAt(77, 1e-3, 100, 0, 'constant')).toBe(1e-3)
  })
})

describe('EMA', () => {
  it('target <- mu target + (1 - mu) theta', async () => {
    const arrays = (w: number) => ({
      'layer0.W': { shape: [1, 2], data: new Float32Array([w, 2 * w]) },
      'layer0.b': { shape: [2], data: new Float32Array([w, w]) },
    })
    const theta = WeightSet.fromArrays(arrays(1), 1, true, 'theta')
    const target = WeightSet.fromArrays(arrays(3), 1, false, 'target')
    target.emaFrom(theta, 0.95)
    const W = (await target.toArrays())['layer0.W']?.data as Float32Array
    expect(W[0]).toBeCloseTo(0.95 * 3 + 0.05 * 1, 6)
    expect(W[1]).toBeCloseTo(0.95 * 6 + 0.05 * 2, 6)
    target.emaFrom(theta, 0)
    expect(Array.from((await target.toArrays())['layer0.b']?.data as Float32Array)).toEqual([1, 1])
    theta.dispose()
    target.dispose()
  })
})
