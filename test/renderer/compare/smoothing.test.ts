import { describe, expect, it } from 'vitest'
import { clampSmoothing, debiasedEma } from '../../../src-renderer/lib/smoothing'

describe('debiasedEma (TensorBoard smoothing)', () => {
  it('keeps a constant series constant, exactly', () => {
    expect(debiasedEma([0.3, 0.3, 0.3, 0.3], 0.9)).toEqual([0.3, 0.3, 0.3, 0.3])
  })

  it('returns the raw values at weight 0', () => {
    const raw = [1, 5, 2, 8]
    const out = debiasedEma(raw, 0)
    expect(out).toEqual(raw)
    expect(out).not.toBe(raw)
  })

  it('is unbiased at the first value (not pulled towards 0) and follows the EMA after', () => {
    const out = debiasedEma([10, 0, 0], 0.6)
    expect(out[0]).toBeCloseTo(10, 12)
    // acc1 = 4, acc2 = 2.4 -> 2.4 / (1 - 0.36) = 3.75
    expect(out[1]).toBeCloseTo(3.75, 12)
    // acc3 = 1.44 -> 1.44 / (1 - 0.216)
    expect(out[2]).toBeCloseTo(1.44 / 0.784, 12)
  })

  it('passes NaN and Infinity through without poisoning later points', () => {
    const out = debiasedEma([1, Number.NaN, 3, Number.POSITIVE_INFINITY, 3], 0.5)
    expect(out[0]).toBe(1)
    expect(Number.isNaN(out[1])).toBe(true)
    // the NaN did not count: second finite value -> (0.5*0.5*1 + 0.5*3)/(1-0.25) = 1.75/0.75
    expect(out[2]).toBeCloseTo(1.75 / 0.75, 12)
    expect(out[3]).toBe(Number.POSITIVE_INFINITY)
    expect(Number.isFinite(out[4])).toBe(true)
  })

  it('keeps a constant series with a NaN constant around the gap', () => {
    const out = debiasedEma([2, Number.NaN, 2], 0.8)
    expect(out[0]).toBe(2)
    expect(out[2]).toBe(2)
  })

  it('clamps the weight to [0, 0.99]', () => {
    expect(clampSmoothing(-1)).toBe(0)
    expect(clampSmoothing(Number.NaN)).toBe(0)
    expect(clampSmoothing(1)).toBe(0.99)
    expect(clampSmoothing(0.6)).toBe(0.6)
  })
})
