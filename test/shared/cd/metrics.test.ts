import {
  axisQuantileRange,
  axisStd,
  energyAndMmd,
  meanPairedDistance,
  slicedWasserstein,
  type PointSet,
} from '@shared/cd/metrics'
import { sample2D, STREAM_HELD_OUT, STREAM_TRAIN } from '@shared/data/datasets2d'
import { Rng } from '@shared/rng'
import { describe, expect, it } from 'vitest'

const set2 = (points: Float32Array): PointSet => ({ points, dim: 2 })

function shifted(set: PointSet, dx: number, dy: number): PointSet {
  const points = set.points.slice()
  for (let i = 0; i < points.length; i += 2) {
    points[i] = (points[i] as number) + dx
    points[i + 1] = (points[i + 1] as number) + dy
  }
  return set2(points)
}

const moons = set2(sample2D('moons', 1000, Rng.fromSeed(1, STREAM_TRAIN)))
const moonsAgain = set2(sample2D('moons', 1000, Rng.fromSeed(1, STREAM_HELD_OUT)))
const gaussians = set2(sample2D('8gaussians', 1000, Rng.fromSeed(1, STREAM_TRAIN)))

describe('slicedWasserstein', () => {
  it('is 0 between a set and itself', () => {
    expect(slicedWasserstein(moons, moons)).toBe(0)
  })

  it('is 0 between a set and the same points listed twice (sets may differ in size)', () => {
    const doubled = set2(Float32Array.from([...moons.points, ...moons.points]))
    expect(slicedWasserstein(moons, doubled)).toBeLessThan(1e-12)
    // Against a shifted copy, listing the points twice does not change the distance.
    const d = 0.3
    expect(slicedWasserstein(moons, shifted(doubled, d, 0))).toBeCloseTo(
      slicedWasserstein(moons, shifted(moons, d, 0)),
      6,
    )
  })

  it('for a copy shifted by (d, 0) is d E|cos| ≈ 2d/π, and linear in d', () => {
    const d = 0.3
    const swd = slicedWasserstein(moons, shifted(moons, d, 0))
    expect(Math.abs(swd / ((2 * d) / Math.PI) - 1)).toBeLessThan(0.05)
    // A pure shift moves every projected quantile by d cos(theta): doubling d doubles the distance.
    // (Float32 rounding of the shifted points limits this to about 1e-6.)
    expect(slicedWasserstein(moons, shifted(moons, 2 * d, 0)) / swd).toBeCloseTo(2, 5)
    // The same along y (E|sin| = E|cos| for uniform directions).
    const swdY = slicedWasserstein(moons, shifted(moons, 0, d))
    expect(Math.abs(swdY / ((2 * d) / Math.PI) - 1)).toBeLessThan(0.05)
  })

  it('is symmetric', () => {
    expect(slicedWasserstein(moons, gaussians)).toBeCloseTo(slicedWasserstein(gaussians, moons), 12)
  })

  it('data-vs-data floor is much smaller than moons vs 8gaussians', () => {
    const floor = slicedWasserstein(moons, moonsAgain)
    const apart = slicedWasserstein(moons, gaussians)
    expect(floor).toBeGreaterThan(0)
    expect(floor * 3).toBeLessThan(apart)
  })

  it('refuses sets of different dimension', () => {
    expect(() => slicedWasserstein(moons, { points: new Float32Array(9), dim: 3 })).toThrow(/dimension/)
  })
})

describe('energyAndMmd', () => {
  it('is about 0 for identical sets', () => {
    const { energy, mmd } = energyAndMmd(moons, moons)
    expect(energy).toBeLessThan(1e-10)
    expect(mmd).toBeLessThan(1e-6)
  })

  it('is positive for different sets and the data floor is much smaller', () => {
    const floor = energyAndMmd(moons, moonsAgain)
    const apart = energyAndMmd(moons, gaussians)
    expect(apart.energy).toBeGreaterThan(0)
    expect(apart.mmd).toBeGreaterThan(0)
    expect(floor.energy * 10).toBeLessThan(apart.energy)
    expect(floor.mmd * 3).toBeLessThan(apart.mmd)
  })

  it('energy distance of point masses at distance d is 2d', () => {
    // a = {0}, b = {(d, 0)}: 2 E|X-Y| - E|X-X'| - E|Y-Y'| = 2d.
    const a = set2(Float32Array.from([0, 0]))
    const b = set2(Float32Array.from([0.75, 0]))
    const { energy, mmd } = energyAndMmd(a, b)
    expect(energy).toBeCloseTo(1.5, 6)
    // MMD^2 = 2 - 2 mean_s exp(-d^2 / (2 s^2)) over the four bandwidths.
    const k = [0.1, 0.2, 0.4, 0.8].map((s) => Math.exp(-(0.75 ** 2) / (2 * s * s)))
    const mmd2 = 2 - (2 * k.reduce((x, y) => x + y, 0)) / 4
    expect(mmd).toBeCloseTo(Math.sqrt(mmd2), 6)
  })
})

describe('energyAndMmd on image-sized rows', () => {
  it('keeps MMD informative in 784 dimensions (bandwidths scale with sqrt(dim / 2))', () => {
    const rng = Rng.fromSeed(1)
    const d = 784
    const n = 200
    const draw = (shift: number) => ({ points: rng.normals(n * d).map((v) => v * 0.5 + shift), dim: d })
    const a = draw(0)
    const same = energyAndMmd(a, draw(0)).mmd
    const shifted = energyAndMmd(a, draw(0.3)).mmd
    // Unscaled 2D bandwidths gave the same constant for both (every kernel ~0 at distances ~20).
    expect(shifted).toBeGreaterThan(2 * same)
  })
})

describe('meanPairedDistance and axisStd', () => {
  it('meanPairedDistance is the mean row distance', () => {
    expect(meanPairedDistance(moons, moons)).toBe(0)
    expect(meanPairedDistance(moons, shifted(moons, 0.3, 0.4))).toBeCloseTo(0.5, 5)
    expect(() => meanPairedDistance(moons, set2(gaussians.points.slice(0, 10)))).toThrow(/equal sizes/)
  })

  it('axisStd is the per-axis population standard deviation', () => {
    const s = axisStd(set2(Float32Array.from([0, 10, 2, 10, 4, 10])))
    expect(s[0]).toBeCloseTo(Math.sqrt(8 / 3), 6)
    expect(s[1]).toBe(0)
  })

  it('axisQuantileRange interpolates percentiles and ignores one far point that moves the std', () => {
    // 0, 1, ..., 100 on x: the 5th and 95th percentiles are 5 and 95
    const ramp = Float32Array.from({ length: 202 }, (_, i) => (i % 2 === 0 ? i / 2 : 0))
    const r = axisQuantileRange(set2(ramp))
    expect(r[0]).toBeCloseTo(90, 6)
    expect(r[1]).toBe(0)
    expect(axisQuantileRange(set2(ramp), 0)[0]).toBeCloseTo(100, 6)
    expect(axisQuantileRange(set2(Float32Array.from([0, 0, 10, 0])), 0.25)[0]).toBeCloseTo(5, 6)

    const far = moons.points.slice()
    far[1] = -40 // one of 1000 points far out on y
    const std = axisStd(set2(far))[1]! / axisStd(moons)[1]!
    const range = axisQuantileRange(set2(far))[1]! / axisQuantileRange(moons)[1]!
    expect(std).toBeGreaterThan(1.5)
    expect(range).toBeCloseTo(1, 2)
    expect(() => axisQuantileRange(moons, 0.5)).toThrow(/tail/)
    expect(() => axisQuantileRange(set2(new Float32Array(0)))).toThrow(/empty/)
  })
})
