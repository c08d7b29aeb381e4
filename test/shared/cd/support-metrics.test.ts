import { offSupportShare, supportMetrics, kthNeighbourRadii2 } from '@shared/cd/support-metrics'
import { DATA_STD, sample2D, STREAM_HELD_OUT, STREAM_TRAIN } from '@shared/data/datasets2d'
import { Rng } from '@shared/rng'
import { describe, expect, it } from 'vitest'

const N = 3000
const board = sample2D('checkerboard', N, Rng.fromSeed(3, STREAM_TRAIN))
const boardAgain = sample2D('checkerboard', N, Rng.fromSeed(3, STREAM_HELD_OUT))

/** Uniform on the checkerboard's whole 4 x 4 box: same marginals as the board, half of it off the board. */
function filledSquare(n: number, seed: number): Float32Array {
  const rng = Rng.fromSeed(seed, STREAM_TRAIN)
  const half = 2 * (DATA_STD / 1.1546) // raw box [-2, 2]^2, scaled as sample2D scales the board
  const out = new Float32Array(2 * n)
  for (let i = 0; i < out.length; i++) out[i] = (rng.uniform() * 2 - 1) * half
  return out
}

function shifted(points: Float32Array, d: number): Float32Array {
  return points.map((v) => v + d)
}

describe('#17 supportMetrics', () => {
  it('#17 is 1 on every measure for a set against itself', () => {
    const m = supportMetrics(board, board, 2)
    expect(m.precision).toBe(1)
    expect(m.recall).toBe(1)
    expect(m.coverage).toBe(1)
    // Each point lies in its own ball and, on average, in k others' (the k-NN relation is about symmetric).
    expect(m.density).toBeGreaterThan(0.9)
    expect(m.density).toBeLessThan(1.4)
  })

  it('#17 is near 1 for two independent samples of one distribution (the data-vs-data floor)', () => {
    for (const name of ['checkerboard', 'moons', 'rings'] as const) {
      const a = sample2D(name, N, Rng.fromSeed(5, STREAM_TRAIN))
      const b = sample2D(name, N, Rng.fromSeed(5, STREAM_HELD_OUT))
      const m = supportMetrics(a, b, 2)
      expect(m.precision, name).toBeGreaterThan(0.97)
      expect(m.recall, name).toBeGreaterThan(0.97)
      expect(m.coverage, name).toBeGreaterThan(0.9)
      expect(Math.abs(m.density - 1), name).toBeLessThan(0.15)
    }
  })

  it('#17 is 0 on every measure for disjoint sets', () => {
    const m = supportMetrics(board, shifted(boardAgain, 10), 2)
    expect(m).toEqual({ precision: 0, recall: 0, density: 0, coverage: 0 })
  })

  it('#17 sees a filled square against the 4x4 checkerboard: precision ~0.5, recall ~1', () => {
    const m = supportMetrics(board, filledSquare(N, 9), 2)
    // Half the square is empty board; balls reach a little past the filled cells' edges, hence the margin.
    expect(m.precision).toBeGreaterThan(0.45)
    expect(m.precision).toBeLessThan(0.6)
    expect(m.recall).toBeGreaterThan(0.97)
    expect(m.density).toBeLessThan(0.6)
    // Fakes are half as dense as the board on its filled cells, so a real ball holds 2.5 of them on
    // average and is empty with probability ~e^-2.5: coverage stays high although precision halves.
    expect(m.coverage).toBeGreaterThan(0.8)
    // The reverse direction: board samples all lie on the square (precision ~1), but cover half of it.
    const reverse = supportMetrics(filledSquare(N, 9), board, 2)
    expect(reverse.precision).toBeGreaterThan(0.97)
    expect(reverse.recall).toBeGreaterThan(0.45)
    expect(reverse.recall).toBeLessThan(0.6)
  })

  it('#17 agrees with a direct transcription of the definitions on a small random set in 3D', () => {
    const rng = Rng.fromSeed(11, STREAM_TRAIN)
    const dim = 3
    const k = 3
    const real = Float32Array.from({ length: 40 * dim }, () => rng.normal())
    const fake = Float32Array.from({ length: 30 * dim }, () => rng.normal() * 1.5 + 0.3)
    const dist = (a: Float32Array, i: number, b: Float32Array, j: number): number =>
      Math.hypot(...Array.from({ length: dim }, (_, c) => (a[i * dim + c] as number) - (b[j * dim + c] as number)))
    const radius = (set: Float32Array, i: number): number => {
      const ds = Array.from({ length: set.length / dim }, (_, j) => dist(set, i, set, j)).filter((_, j) => j !== i)
      return ds.sort((x, y) => x - y)[k - 1] as number
    }
    const realIdx = [...Array(40).keys()]
    const fakeIdx = [...Array(30).keys()]
    const rr = realIdx.map((i) => radius(real, i))
    const fr = fakeIdx.map((j) => radius(fake, j))
    const expected = {
      precision: fakeIdx.filter((j) => realIdx.some((i) => dist(fake, j, real, i) <= rr[i]!)).length / 30,
      recall: realIdx.filter((i) => fakeIdx.some((j) => dist(real, i, fake, j) <= fr[j]!)).length / 40,
      density:
        fakeIdx.reduce((s, j) => s + realIdx.filter((i) => dist(fake, j, real, i) <= rr[i]!).length, 0) / (k * 30),
      coverage: realIdx.filter((i) => Math.min(...fakeIdx.map((j) => dist(real, i, fake, j))) <= rr[i]!).length / 40,
    }
    const got = supportMetrics(real, fake, dim, k)
    expect(got.precision).toBeCloseTo(expected.precision, 12)
    expect(got.recall).toBeCloseTo(expected.recall, 12)
    expect(got.density).toBeCloseTo(expected.density, 12)
    expect(got.coverage).toBeCloseTo(expected.coverage, 12)
    // The radii themselves, squared.
    const radii = kthNeighbourRadii2(Float64Array.from(real), 40, dim, k)
    for (const i of realIdx) expect(Math.sqrt(radii[i]!)).toBeCloseTo(rr[i]!, 6)
  })

  it('#17 rejects bad input naming the value', () => {
    expect(() => supportMetrics(board, board, 7)).toThrow(/real has 6000 values, not a multiple of dim 7/)
    expect(() => supportMetrics(board, board.subarray(0, 10), 2)).toThrow(/fake has 5 points, needs more than k = 5/)
    expect(() => supportMetrics(board, board, 2, 0)).toThrow(/k must be a positive integer, got 0/)
  })
})

describe('#17 offSupportShare', () => {
  it('#17 is ~0 for held-out data against data, and 1 for points off the box', () => {
    expect(offSupportShare(board, boardAgain)).toBeLessThan(0.01)
    expect(offSupportShare(board, shifted(boardAgain, 10))).toBe(1)
  })

  it('#17 is ~50 % for a filled square against the 4x4 checkerboard', () => {
    const share = offSupportShare(board, filledSquare(N, 9))
    // The 16x16 grid puts 4x4 cells in each board square; the data's box is a hair inside the board's.
    expect(share).toBeGreaterThan(0.45)
    expect(share).toBeLessThan(0.55)
  })

  it('#17 counts fakes outside the box as off and rejects a bad grid', () => {
    const real = Float32Array.from([0, 0, 1, 1])
    expect(offSupportShare(real, Float32Array.from([0.1, 0.1, 0.9, 0.9, 2, 2, -1, 0.5, 0.2, 0.8]), 2)).toBe(0.6)
    expect(() => offSupportShare(real, real, 0)).toThrow(/grid must be a positive integer, got 0/)
  })
})
