import { beforeAll, describe, expect, it } from 'vitest'
import { defaultHuberC, perExampleDistance, weightedMean } from '../../src-main/engine/losses'
import { tf } from '../../src-main/engine/tf'
import { useCpu } from '../helpers/engine'

beforeAll(useCpu)

const out = [
  [1, 2],
  [0, -3],
]
const tgt = [
  [0, 0],
  [4, 0],
]

function distances(kind: 'l2' | 'l1' | 'huber', c = 0.1): number[] {
  return tf.tidy(() => Array.from(perExampleDistance(kind, tf.tensor2d(out), tf.tensor2d(tgt), c).dataSync()))
}

describe('losses', () => {
  it('L2 is the per-example mean of squares', () => {
    const [a, b] = distances('l2')
    expect(a).toBeCloseTo((1 + 4) / 2, 6)
    expect(b).toBeCloseTo((16 + 9) / 2, 6)
  })

  it('L1 is the per-example mean of absolute differences', () => {
    const [a, b] = distances('l1')
    expect(a).toBeCloseTo((1 + 2) / 2, 6)
    expect(b).toBeCloseTo((4 + 3) / 2, 6)
  })

  it('pseudo-Huber acts on the per-example norm: sqrt(||d||^2 + c^2) - c', () => {
    const c = 0.1
    const [a, b] = distances('huber', c)
    expect(a).toBeCloseTo(Math.sqrt(5 + c * c) - c, 5)
    expect(b).toBeCloseTo(Math.sqrt(25 + c * c) - c, 5)
  })

  it("iCT's default c is 0.00054 sqrt(dim)", () => {
    expect(defaultHuberC(3072)).toBeCloseTo(0.0299, 4)
    expect(defaultHuberC(2)).toBeCloseTo(7.637e-4, 6)
  })

  it('weights the batch mean by lambda', () => {
    const value = tf.tidy(() => weightedMean(tf.tensor1d([1, 3]), tf.tensor1d([2, 0.5])).dataSync()[0])
    expect(value).toBeCloseTo((2 + 1.5) / 2, 6)
    const plain = tf.tidy(() => weightedMean(tf.tensor1d([1, 3]), null).dataSync()[0])
    expect(plain).toBeCloseTo(2, 6)
  })
})
