import {
  alphaBarToSigma,
  karrasStepGrid,
  hopSubsteps,
  makeBetas,
  makeSchedule,
  MAX_TERMINAL_ALPHA_BAR,
  nearestStep,
  samplerSteps,
  ScheduleError,
  sigmaToAlphaBar,
  uniformStepGrid,
} from '@shared/cd/schedule'
import { describe, expect, it } from 'vitest'

const at = (a: ArrayLike<number>, i: number) => a[i] as number

describe('sigma <-> alphaBar', () => {
  it('converts both ways', () => {
    for (const alphaBar of [1e-6, 4e-5, 0.01, 0.364, 0.5, 0.9, 0.9999]) {
      const sigma = alphaBarToSigma(alphaBar)
      expect(sigma * sigma).toBeCloseTo((1 - alphaBar) / alphaBar, 6)
      expect(sigmaToAlphaBar(sigma) / alphaBar).toBeCloseTo(1, 12)
    }
    for (const sigma of [0.002, 0.01, 0.5, 1, 80, 157.4]) {
      expect(alphaBarToSigma(sigmaToAlphaBar(sigma)) / sigma).toBeCloseTo(1, 10)
    }
    expect(alphaBarToSigma(0.5)).toBe(1)
    expect(sigmaToAlphaBar(0)).toBe(1)
  })
})

describe('makeBetas / makeSchedule', () => {
  it('linear betas run from betaStart to betaEnd in equal steps', () => {
    const betas = makeBetas('linear', 1000)
    expect(betas).toHaveLength(1000)
    expect(at(betas, 0)).toBeCloseTo(1e-4, 15)
    expect(at(betas, 999)).toBeCloseTo(0.02, 15)
    const step = (0.02 - 1e-4) / 999
    for (let k = 1; k < 1000; k++) expect(at(betas, k) - at(betas, k - 1)).toBeCloseTo(step, 12)
    const custom = makeBetas('linear', 10, 0.001, 0.2)
    expect(at(custom, 0)).toBeCloseTo(0.001, 15)
    expect(at(custom, 9)).toBeCloseTo(0.2, 15)
  })

  it('T = 1000 linear gives the ALGORITHM.md numbers', () => {
    const s = makeSchedule('linear', 1000)
    expect(s.numSteps).toBe(1000)
    const last = at(s.alphaBar, 999)
    expect(last).toBeGreaterThan(3.95e-5)
    expect(last).toBeLessThan(4.05e-5)
    expect(at(s.sigma, 999)).toBeCloseTo(157.4, 1)
    expect(at(s.sigma, 0)).toBeCloseTo(0.01, 4)
  })

  it('alphaBar is the running product of (1 - beta) and sigma follows it', () => {
    const s = makeSchedule('linear', 1000)
    let prod = 1
    for (let k = 0; k < 1000; k++) {
      prod *= 1 - at(s.betas, k)
      expect(at(s.alphaBar, k)).toBeCloseTo(prod, 14)
      expect(at(s.sigma, k)).toBeCloseTo(alphaBarToSigma(prod), 9)
      if (k > 0) expect(at(s.sigma, k)).toBeGreaterThan(at(s.sigma, k - 1))
    }
  })

  it('T = 100 with beta end 0.02 is refused: the last step keeps 36% of the signal', () => {
    expect(() => makeSchedule('linear', 100)).toThrow(ScheduleError)
    try {
      makeSchedule('linear', 100)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ScheduleError)
      const message = (e as Error).message
      expect(message).toMatch(/0\.36/)
      expect(message).toMatch(/last step/)
    }
  })

  it('T = 100 with beta end 0.2 is accepted (table: alphaBar 2.1e-5, sigmaMax 216)', () => {
    const s = makeSchedule('linear', 100, 1e-4, 0.2)
    expect(at(s.alphaBar, 99)).toBeGreaterThan(2.0e-5)
    expect(at(s.alphaBar, 99)).toBeLessThan(2.2e-5)
    expect(at(s.sigma, 99)).toBeGreaterThan(213)
    expect(at(s.sigma, 99)).toBeLessThan(219)
    expect(at(s.alphaBar, 99)).toBeLessThanOrEqual(MAX_TERMINAL_ALPHA_BAR)
  })

  it('the cosine schedule ends in noise and has increasing sigma', () => {
    const s = makeSchedule('cosine', 1000)
    expect(at(s.alphaBar, 999)).toBeLessThanOrEqual(MAX_TERMINAL_ALPHA_BAR)
    for (const b of s.betas) expect(b).toBeLessThanOrEqual(0.999)
    for (let k = 1; k < 1000; k++) expect(at(s.sigma, k)).toBeGreaterThan(at(s.sigma, k - 1))
  })
})

describe('step grids', () => {
  it('uniformStepGrid: k_i = round(i (T-1) / (N-1)), from 0 to T-1', () => {
    for (const [T, N] of [
      [1000, 18],
      [1000, 2],
      [1000, 1000],
      [100, 7],
    ] as const) {
      const grid = uniformStepGrid(T, N)
      expect(grid).toHaveLength(N)
      expect(grid[0]).toBe(0)
      expect(grid[N - 1]).toBe(T - 1)
      grid.forEach((k, i) => expect(k).toBe(Math.round((i * (T - 1)) / (N - 1))))
      for (let i = 1; i < N; i++) expect(at(grid, i)).toBeGreaterThan(at(grid, i - 1))
    }
    expect(uniformStepGrid(1000, 4)).toEqual([0, 333, 666, 999])
  })

  it('karrasStepGrid is strictly increasing from 0 to T-1', () => {
    const s = makeSchedule('linear', 1000)
    for (const N of [2, 10, 18, 40, 200]) {
      const grid = karrasStepGrid(s, N)
      expect(grid[0]).toBe(0)
      expect(grid[grid.length - 1]).toBe(999)
      expect(grid.length).toBeLessThanOrEqual(N)
      for (let i = 1; i < grid.length; i++) expect(at(grid, i)).toBeGreaterThan(at(grid, i - 1))
    }
    // For a small N no level collides, so all N survive.
    expect(karrasStepGrid(s, 18)).toHaveLength(18)
    // For a large N the clean end collides and duplicates are removed.
    expect(karrasStepGrid(s, 1000).length).toBeLessThan(1000)
  })

  it('karrasStepGrid levels are the teacher steps nearest the rho = 7 Karras sigmas', () => {
    const s = makeSchedule('linear', 1000)
    const lo = at(s.sigma, 0) ** (1 / 7)
    const hi = at(s.sigma, 999) ** (1 / 7)
    const grid = karrasStepGrid(s, 18)
    grid.forEach((k, i) => {
      const target = (lo + (i / 17) * (hi - lo)) ** 7
      // k is the nearest step in log sigma: its neighbours are no closer.
      const distance = (j: number) => Math.abs(Math.log(at(s.sigma, j)) - Math.log(target))
      if (k > 0) expect(distance(k)).toBeLessThanOrEqual(distance(k - 1))
      if (k < 999) expect(distance(k)).toBeLessThanOrEqual(distance(k + 1))
    })
  })

  it('nearestStep finds the step of an exact sigma', () => {
    const s = makeSchedule('linear', 1000)
    for (const k of [0, 1, 17, 500, 998, 999]) expect(nearestStep(s, at(s.sigma, k))).toBe(k)
    expect(nearestStep(s, 1e-6)).toBe(0)
    expect(nearestStep(s, 1e6)).toBe(999)
  })

  it('samplerSteps lists the K steps a K-step sampler evaluates, from T-1 down, quadratic in the step index, all distinct', () => {
    expect(samplerSteps(1000, 1)).toEqual([999])
    expect(samplerSteps(1000, 4)).toEqual([999, 562, 250, 62])
    expect(samplerSteps(1000, 10)).toEqual([999, 809, 639, 490, 360, 250, 160, 90, 40, 10])
    // Where (i / K)^2 (T - 1) would repeat a step, consecutive steps take over: 100 distinct steps down to 0.
    const hundred = samplerSteps(1000, 100)
    expect(new Set(hundred).size).toBe(100)
    expect(hundred[0]).toBe(999)
    expect(hundred.slice(-4)).toEqual([3, 2, 1, 0])
    for (let i = 1; i < hundred.length; i++) expect(at(hundred, i)).toBeLessThan(at(hundred, i - 1))
    // More hops than the teacher has steps: the top ones are empty, K in all, nothing out of range.
    expect(samplerSteps(3, 5)).toEqual([2, 2, 2, 1, 0])
  })
})

describe('hopSubsteps', () => {
  it('splits a hop evenly in step index, ending exactly at the cleaner level', () => {
    expect(hopSubsteps(999, 922, 4)).toEqual([980, 961, 941, 922])
    expect(hopSubsteps(999, 922, 1)).toEqual([922])
  })

  it('repeats steps when the hop is shorter than the substeps (steps of length zero)', () => {
    expect(hopSubsteps(3, 1, 4)).toEqual([3, 2, 2, 1])
  })
})
