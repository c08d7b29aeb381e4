import { alphaBarToSigma, makeSchedule } from '@shared/cd/schedule'
import { cIn, cOut, cSkip } from '@shared/cd/scalings'
import { describe, expect, it } from 'vitest'

const sigmaData = 0.5

describe('boundary scalings', () => {
  it('cSkip(sigmaMin) = 1 and cOut(sigmaMin) = 0 exactly, for any sigmaMin', () => {
    const sigmaMin = makeSchedule('linear', 1000).sigma[0] as number
    for (const min of [sigmaMin, 0.002, 0.0100005, 1 / 3, 0]) {
      for (const data of [sigmaData, 0.1, 1]) {
        expect(cSkip(min, min, data)).toBe(1)
        expect(cOut(min, min, data)).toBe(0)
      }
    }
  })

  it('cSkip falls from 1 towards 0 as sigma grows, and cSkip + cOut = 1', () => {
    const sigmaMin = 0.01
    let previous = 1
    for (const sigma of [0.02, 0.1, 0.5, 1, 5, 20, 157.4]) {
      const skip = cSkip(sigma, sigmaMin, sigmaData)
      expect(skip).toBeLessThan(previous)
      expect(skip + cOut(sigma, sigmaMin, sigmaData)).toBeCloseTo(1, 15)
      previous = skip
    }
    expect(cSkip(157.4, sigmaMin, sigmaData)).toBeLessThan(1e-4)
    expect(cSkip(1e6, sigmaMin, sigmaData)).toBeLessThan(1e-12)
    expect(cOut(1e6, sigmaMin, sigmaData)).toBeCloseTo(1, 12)
  })

  it('at sigma - sigmaMin = sigmaData the skip weight is exactly 1/2', () => {
    expect(cSkip(0.01 + sigmaData, 0.01, sigmaData)).toBeCloseTo(0.5, 12)
  })

  it('cIn maps VE inputs to VP: cIn(sigma) = sqrt(alphaBar)', () => {
    expect(cIn(0)).toBe(1)
    for (const alphaBar of [0.9999, 0.5, 0.01, 4e-5]) {
      expect(cIn(alphaBarToSigma(alphaBar))).toBeCloseTo(Math.sqrt(alphaBar), 10)
    }
  })
})
