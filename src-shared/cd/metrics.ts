/**
 * Distribution distances between two point sets, on flat row-major arrays of `dim` columns. Pure maths
 * on typed arrays so the same numbers come out in the engine, the services and the renderer.
 */
import { Rng } from '../rng'

export interface PointSet {
  points: Float32Array
  dim: number
}

function count(set: PointSet): number {
  return set.points.length / set.dim
}

/** Seed of the fixed projection directions: every run is scored on the same 256 directions. */
const PROJECTION_SEED = 20230301

function unitDirections(dim: number, numProjections: number): Float64Array {
  const rng = Rng.fromSeed(PROJECTION_SEED, dim)
  const dirs = new Float64Array(numProjections * dim)
  for (let p = 0; p < numProjections; p++) {
    let norm = 0
    for (let j = 0; j < dim; j++) {
      const v = rng.normal()
      dirs[p * dim + j] = v
      norm += v * v
    }
    norm = Math.sqrt(norm)
    for (let j = 0; j < dim; j++) dirs[p * dim + j] = (dirs[p * dim + j] as number) / norm
  }
  return dirs
}

function project(set: PointSet, dirs: Float64Array, p: number): Float64Array {
  const n = count(set)
  const out = new Float64Array(n)
  const { points, dim } = set
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < dim; j++) s += (points[i * dim + j] as number) * (dirs[p * dim + j] as number)
    out[i] = s
  }
  return out.sort()
}

/**
 * Sliced Wasserstein-1: the mean over fixed random directions of the 1D Wasserstein-1 distance between the
 * projected sets (sorted projections matched by quantile). Sets may differ in size.
 */
export function slicedWasserstein(a: PointSet, b: PointSet, numProjections = 256): number {
  assertSameDim(a, b)
  const dirs = unitDirections(a.dim, numProjections)
  const na = count(a)
  const nb = count(b)
  const m = Math.max(na, nb)
  let total = 0
  for (let p = 0; p < numProjections; p++) {
    const pa = project(a, dirs, p)
    const pb = project(b, dirs, p)
    let sum = 0
    for (let q = 0; q < m; q++) {
      const ia = Math.min(na - 1, Math.floor(((q + 0.5) * na) / m))
      const ib = Math.min(nb - 1, Math.floor(((q + 0.5) * nb) / m))
      sum += Math.abs((pa[ia] as number) - (pb[ib] as number))
    }
    total += sum / m
  }
  return total / numProjections
}

/** Bandwidths of the RBF mixture, spaced by factors of 2 so one exp per pair gives all four kernels. */
export const MMD_BANDWIDTHS = [0.1, 0.2, 0.4, 0.8] as const

interface PairSums {
  distance: number
  kernel: number
}

function pairSums(a: PointSet, b: PointSet, same: boolean): PairSums {
  const na = count(a)
  const nb = count(b)
  const dim = a.dim
  // The bandwidths are for 2D data of std 0.5; distances between points grow like sqrt(dim), so above 2
  // dimensions they scale by sqrt(dim / 2) (on 784-pixel images unscaled kernels are all ~0 and MMD says nothing).
  const widest = (MMD_BANDWIDTHS[MMD_BANDWIDTHS.length - 1] as number) * Math.sqrt(Math.max(1, dim / 2))
  const inv = 1 / (2 * widest * widest)
  // Float64 copies keep the hot loop monomorphic and the sums accurate.
  const pa = Float64Array.from(a.points)
  const pb = Float64Array.from(b.points)
  let distance = 0
  let kernel = 0
  for (let i = 0; i < na; i++) {
    const start = same ? i + 1 : 0
    for (let k = start; k < nb; k++) {
      let d2 = 0
      for (let j = 0; j < dim; j++) {
        const diff = (pa[i * dim + j] as number) - (pb[k * dim + j] as number)
        d2 += diff * diff
      }
      distance += Math.sqrt(d2)
      // exp(-d2 / (2 s^2)) for s = 0.8, 0.4, 0.2, 0.1: each halving of s raises the kernel to the 4th power.
      const k8 = Math.exp(-d2 * inv)
      const k8sq = k8 * k8
      const k4 = k8sq * k8sq
      const k4sq = k4 * k4
      const k2 = k4sq * k4sq
      const k2sq = k2 * k2
      kernel += k8 + k4 + k2 + k2sq * k2sq
    }
  }
  if (same) {
    // Each unordered pair counted once above; the diagonal adds 0 distance and kernel 1 per bandwidth.
    distance *= 2
    kernel = kernel * 2 + na * MMD_BANDWIDTHS.length
  }
  return { distance: distance / (na * nb), kernel: kernel / (na * nb * MMD_BANDWIDTHS.length) }
}

export interface Distances {
  energy: number
  mmd: number
}

/**
 * Energy distance 2E|X-Y| - E|X-X'| - E|Y-Y'| (Szekely & Rizzo) and RBF-MMD (biased estimate, square
 * root of MMD^2, kernel = mean of the MMD_BANDWIDTHS Gaussians), computed in one pass over all pairs.
 */
export function energyAndMmd(a: PointSet, b: PointSet): Distances {
  assertSameDim(a, b)
  const ab = pairSums(a, b, false)
  const aa = pairSums(a, a, true)
  const bb = pairSums(b, b, true)
  const energy = 2 * ab.distance - aa.distance - bb.distance
  const mmd2 = aa.kernel + bb.kernel - 2 * ab.kernel
  return { energy: Math.max(0, energy), mmd: Math.sqrt(Math.max(0, mmd2)) }
}

/** Mean Euclidean distance between matching rows (teacher–student agreement on shared x_T). */
export function meanPairedDistance(a: PointSet, b: PointSet): number {
  assertSameDim(a, b)
  const n = count(a)
  if (n !== count(b)) throw new Error(`paired distance needs equal sizes (${n} vs ${count(b)})`)
  let total = 0
  for (let i = 0; i < n; i++) {
    let d2 = 0
    for (let j = 0; j < a.dim; j++) {
      const diff = (a.points[i * a.dim + j] as number) - (b.points[i * a.dim + j] as number)
      d2 += diff * diff
    }
    total += Math.sqrt(d2)
  }
  return total / n
}

/** Per-axis standard deviation, for collapse checks. */
export function axisStd(set: PointSet): number[] {
  const n = count(set)
  const out: number[] = []
  for (let j = 0; j < set.dim; j++) {
    let mean = 0
    for (let i = 0; i < n; i++) mean += set.points[i * set.dim + j] as number
    mean /= n
    let v = 0
    for (let i = 0; i < n; i++) v += ((set.points[i * set.dim + j] as number) - mean) ** 2
    out.push(Math.sqrt(v / n))
  }
  return out
}

/**
 * Per-axis width of the central `1 - 2 tail` share of the points (by default the 5th to the 95th
 * percentile). A spread check that one far sample cannot move: a one-step map sends the rare evaluation
 * draw at |z| 4.5 far out and the standard deviation of 4000 samples grows by half with it.
 */
export function axisQuantileRange(set: PointSet, tail = 0.05): number[] {
  if (!(tail >= 0 && tail < 0.5)) throw new Error(`tail must be in [0, 0.5), got ${tail}`)
  const n = count(set)
  if (n === 0) throw new Error('quantile range of an empty point set')
  const column = new Float64Array(n)
  const at = (q: number) => {
    const position = q * (n - 1)
    const below = Math.floor(position)
    const above = Math.min(n - 1, below + 1)
    return (column[below] as number) + (position - below) * ((column[above] as number) - (column[below] as number))
  }
  const out: number[] = []
  for (let j = 0; j < set.dim; j++) {
    for (let i = 0; i < n; i++) column[i] = set.points[i * set.dim + j] as number
    column.sort()
    out.push(at(1 - tail) - at(tail))
  }
  return out
}

function assertSameDim(a: PointSet, b: PointSet): void {
  if (a.dim !== b.dim) throw new Error(`point sets differ in dimension (${a.dim} vs ${b.dim})`)
}
