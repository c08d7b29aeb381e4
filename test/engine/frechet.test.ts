/**
 * Fréchet distance against closed forms: diagonal (and commonly rotated) covariances give
 * sum (sqrt(a_i) - sqrt(b_i))^2, 2x2 non-commuting covariances give Tr (S_a S_b)^{1/2} =
 * sqrt(tr(S_a S_b) + 2 sqrt(det S_a det S_b)), shifting and scaling samples move it as the formula says.
 * Also the statistics themselves, symmetry, singular covariances, and the named errors.
 */
import { describe, expect, it } from 'vitest'
import {
  featureStatistics,
  FeatureStatisticsError,
  frechetDistance,
  traceSqrtProduct,
  type FeatureStatistics,
} from '../../src-main/engine/frechet'
import { Rng } from '@shared/rng'

function stats(mean: number[], covariance: number[], count = 100): FeatureStatistics {
  return { mean: Float64Array.from(mean), covariance: Float64Array.from(covariance), count }
}

function diag(values: number[]): number[] {
  const d = values.length
  const out = new Array<number>(d * d).fill(0)
  values.forEach((v, i) => (out[i * d + i] = v))
  return out
}

/** A random orthogonal matrix (Gram–Schmidt on normals), row-major. */
function orthogonal(d: number, rng: Rng): number[][] {
  const q: number[][] = []
  while (q.length < d) {
    const v = Array.from(rng.normals(d))
    for (const u of q) {
      const dot = v.reduce((s, x, i) => s + x * (u[i] as number), 0)
      for (let i = 0; i < d; i++) v[i] = (v[i] as number) - dot * (u[i] as number)
    }
    const norm = Math.hypot(...v)
    q.push(v.map((x) => x / norm))
  }
  return q
}

/** Q diag(values) Q^T, row-major. */
function rotated(values: number[], q: number[][]): number[] {
  const d = values.length
  const out = new Array<number>(d * d).fill(0)
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0
      for (let k = 0; k < d; k++) s += (q[k] as number[])[i]! * (values[k] as number) * (q[k] as number[])[j]!
      out[i * d + j] = s
    }
  }
  return out
}

function gaussianSamples(n: number, dim: number, seed: number, scale = 1, shift = 0): Float32Array {
  const rng = Rng.fromSeed(seed)
  const out = new Float32Array(n * dim)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) out[i * dim + j] = shift + scale * (1 + 0.3 * j) * rng.normal() + 0.5 * (j % 3)
  }
  return out
}

describe('featureStatistics', () => {
  it('computes the mean and the unbiased covariance', () => {
    // Rows (1, 2), (3, 6), (5, 4): mean (3, 4); centred (-2,-2), (0,2), (2,0).
    const s = featureStatistics(Float32Array.from([1, 2, 3, 6, 5, 4]), 3, 2)
    expect(Array.from(s.mean)).toEqual([3, 4])
    // sum of products / (n - 1): xx = 8/2, xy = 4/2, yy = 8/2.
    expect(Array.from(s.covariance)).toEqual([4, 2, 2, 4])
    expect(s.count).toBe(3)
  })

  it('keeps precision under a large common offset', () => {
    const base = Float32Array.from([1, 2, 3, 6, 5, 4])
    const s = featureStatistics(
      base.map((v) => v + 1e4),
      3,
      2,
    )
    expect(Array.from(s.covariance)).toEqual([4, 2, 2, 4])
  })

  it('names the argument that is wrong', () => {
    const expectError = (fn: () => unknown, argument: string, pattern: RegExp) => {
      try {
        fn()
        expect.unreachable('no error thrown')
      } catch (error) {
        expect(error).toBeInstanceOf(FeatureStatisticsError)
        expect((error as FeatureStatisticsError).argument).toBe(argument)
        expect((error as Error).message).toMatch(pattern)
      }
    }
    expectError(() => featureStatistics(new Float32Array(2), 1, 2), 'n', /n = 1: a covariance needs at least 2 samples/)
    expectError(() => featureStatistics(new Float32Array(6), 3, 0), 'dim', /dim = 0: must be a positive integer/)
    expectError(
      () => featureStatistics(new Float32Array(5), 3, 2),
      'features',
      /features has 5 values, expected n x dim = 3 x 2 = 6/,
    )
    expectError(
      () => featureStatistics(Float32Array.from([0, 1, 2, Number.NaN]), 2, 2),
      'features',
      /features\[3\] \(sample 1, feature 1\) is NaN/,
    )
    expectError(() => featureStatistics([0, Infinity, 1, 2], 2, 2), 'features', /features\[1\] .* is Infinity/)
  })
})

describe('frechetDistance', () => {
  it('is ~0 for identical sets', () => {
    const x = gaussianSamples(500, 16, 1)
    const s = featureStatistics(x, 500, 16)
    const d = frechetDistance(s, s)
    expect(d).toBeGreaterThanOrEqual(0)
    expect(d).toBeLessThan(1e-9)
    // Equal statistics from a copy, not the same object.
    expect(frechetDistance(s, featureStatistics(x.slice(), 500, 16))).toBeLessThan(1e-9)
  })

  it('matches the diagonal closed form: |mu_a - mu_b|^2 + sum (sqrt(a_i) - sqrt(b_i))^2', () => {
    const a = [1, 4, 9, 0.25, 2]
    const b = [4, 1, 9, 1, 0.5]
    const muA = [0, 1, 2, 3, 4]
    const muB = [1, 1, 0, 3, 4.5]
    const meanTerm = 1 + 0 + 4 + 0 + 0.25
    const covTerm = a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i] as number)) ** 2, 0)
    expect(frechetDistance(stats(muA, diag(a)), stats(muB, diag(b)))).toBeCloseTo(meanTerm + covTerm, 10)
    // Equal covariances: only the mean term is left.
    expect(frechetDistance(stats(muA, diag(a)), stats(muB, diag(a)))).toBeCloseTo(meanTerm, 10)
  })

  it('matches the closed form for covariances sharing a random (non-diagonal) eigenbasis', () => {
    const q = orthogonal(6, Rng.fromSeed(3))
    const a = [0.5, 1, 2, 3, 4, 5]
    const b = [5, 0.1, 2, 1, 8, 0.5]
    const expected = a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i] as number)) ** 2, 0)
    const zero = new Array<number>(6).fill(0)
    expect(frechetDistance(stats(zero, rotated(a, q)), stats(zero, rotated(b, q)))).toBeCloseTo(expected, 9)
  })

  it('matches the 2x2 closed form for non-commuting covariances', () => {
    const A = [2, 0.7, 0.7, 1]
    const B = [0.5, -0.2, -0.2, 3]
    // Tr (AB)^{1/2} = sqrt(tr(AB) + 2 sqrt(det A det B)) for 2x2 SPD A, B.
    const trAB = A[0]! * B[0]! + A[1]! * B[2]! + A[2]! * B[1]! + A[3]! * B[3]!
    const detA = A[0]! * A[3]! - A[1]! * A[2]!
    const detB = B[0]! * B[3]! - B[1]! * B[2]!
    const trSqrt = Math.sqrt(trAB + 2 * Math.sqrt(detA * detB))
    expect(traceSqrtProduct(Float64Array.from(A), Float64Array.from(B), 2)).toBeCloseTo(trSqrt, 12)
    const expected = 1 + 4 + (A[0]! + A[3]! + B[0]! + B[3]!) - 2 * trSqrt
    expect(frechetDistance(stats([0, 0], A), stats([1, 2], B))).toBeCloseTo(expected, 12)
  })

  it('moves as the formula says when samples are shifted or scaled', () => {
    const n = 400
    const dim = 8
    const x = gaussianSamples(n, dim, 5)
    const s = featureStatistics(x, n, dim)
    // Shift by c: covariance unchanged, distance |c|^2.
    const shifted = featureStatistics(
      x.map((v, i) => v + (i % dim === 2 ? 3 : 0.5)),
      n,
      dim,
    )
    expect(frechetDistance(s, shifted)).toBeCloseTo(9 + 7 * 0.25, 4)
    // Scale by k: covariance k^2 S, mean k mu; distance (1 - k)^2 (|mu|^2 + Tr S).
    const k = 1.5
    const scaled = featureStatistics(
      x.map((v) => v * k),
      n,
      dim,
    )
    let muSq = 0
    let trace = 0
    for (let j = 0; j < dim; j++) {
      muSq += (s.mean[j] as number) ** 2
      trace += s.covariance[j * dim + j] as number
    }
    expect(frechetDistance(s, scaled)).toBeCloseTo((1 - k) ** 2 * (muSq + trace), 4)
  })

  it('is symmetric and grows with the gap between the distributions', () => {
    const dim = 10
    const a = featureStatistics(gaussianSamples(300, dim, 11), 300, dim)
    const near = featureStatistics(gaussianSamples(300, dim, 12, 1.1, 0.1), 300, dim)
    const far = featureStatistics(gaussianSamples(300, dim, 13, 2, 1), 300, dim)
    const dNear = frechetDistance(a, near)
    expect(frechetDistance(near, a)).toBeCloseTo(dNear, 9)
    expect(frechetDistance(a, far)).toBeCloseTo(frechetDistance(far, a), 9)
    expect(frechetDistance(a, far)).toBeGreaterThan(5 * dNear)
  })

  it('stays finite and non-negative for singular covariances (fewer samples than features)', () => {
    const dim = 32
    const a = featureStatistics(gaussianSamples(10, dim, 21), 10, dim)
    const b = featureStatistics(gaussianSamples(12, dim, 22), 12, dim)
    const d = frechetDistance(a, b)
    expect(Number.isFinite(d)).toBe(true)
    expect(d).toBeGreaterThan(0)
    expect(frechetDistance(a, a)).toBeLessThan(1e-8)
  })

  it('refuses mismatched or broken statistics, naming the argument', () => {
    const good = stats([0, 0], diag([1, 1]))
    const check = (a: FeatureStatistics, b: FeatureStatistics, argument: string, pattern: RegExp) => {
      try {
        frechetDistance(a, b)
        expect.unreachable('no error thrown')
      } catch (error) {
        expect(error).toBeInstanceOf(FeatureStatisticsError)
        expect((error as FeatureStatisticsError).argument).toBe(argument)
        expect((error as Error).message).toMatch(pattern)
      }
    }
    check(good, stats([0, 0, 0], diag([1, 1, 1])), 'b', /a has 2 features, b has 3/)
    check(stats([0, 0], [1, 0, 0]), good, 'a', /a\.covariance has 3 values, expected 2 x 2/)
    check(good, stats([0, 0], diag([1, 1]), 1), 'b', /b\.count = 1: the statistics need at least 2 samples/)
    check(good, stats([0, Number.NaN], diag([1, 1])), 'b', /b\.mean\[1\] is NaN/)
    check(stats([0, 0], [1, 0, 0, Infinity]), good, 'a', /a\.covariance\[3\] is Infinity/)
    check(stats([], []), good, 'a', /a\.mean is empty/)
  })
})
