/**
 * Fréchet distance between two feature sets, each summarised as a Gaussian (Heusel et al. 2017, "FID"):
 *
 *   d^2 = ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^{1/2})
 *
 * The trace of the matrix square root is taken as Tr sqrt(S_a^{1/2} S_b S_a^{1/2}), which has the same
 * eigenvalues as (S_a S_b)^{1/2} but is symmetric positive semi-definite, so two symmetric
 * eigendecompositions give it with real eigenvalues. Rounding can leave tiny negative eigenvalues (a
 * covariance from fewer samples than dimensions is singular); they are clamped to 0 rather than producing
 * NaN or the complex parts a general sqrtm returns. Sums run in float64.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix'

export interface FeatureStatistics {
  /** Per-feature mean, length dim. */
  mean: Float64Array
  /** Unbiased (n - 1) covariance, dim x dim row-major. */
  covariance: Float64Array
  /** Number of samples the statistics were computed from. */
  count: number
}

export class FeatureStatisticsError extends Error {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message)
    this.name = 'FeatureStatisticsError'
  }
}

const positiveInt = (v: number): boolean => Number.isInteger(v) && v > 0

/**
 * Mean and unbiased covariance of `n` feature rows of `dim` columns (row-major, as the classifier's
 * features come out). Two passes (mean, then centred products) so a large common offset does not cancel.
 */
export function featureStatistics(features: ArrayLike<number>, n: number, dim: number): FeatureStatistics {
  if (!positiveInt(dim))
    throw new FeatureStatisticsError('dim', `featureStatistics: dim = ${dim}: must be a positive integer`)
  if (!Number.isInteger(n) || n < 2) {
    throw new FeatureStatisticsError('n', `featureStatistics: n = ${n}: a covariance needs at least 2 samples`)
  }
  if (features.length !== n * dim) {
    throw new FeatureStatisticsError(
      'features',
      `featureStatistics: features has ${features.length} values, expected n x dim = ${n} x ${dim} = ${n * dim}`,
    )
  }
  for (let i = 0; i < features.length; i++) {
    const v = features[i] as number
    if (!Number.isFinite(v)) {
      throw new FeatureStatisticsError(
        'features',
        `featureStatistics: features[${i}] (sample ${Math.floor(i / dim)}, feature ${i % dim}) is ${v}: every value must be finite`,
      )
    }
  }
  const mean = new Float64Array(dim)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dim; j++) mean[j] = (mean[j] as number) + (features[i * dim + j] as number)
  for (let j = 0; j < dim; j++) mean[j] = (mean[j] as number) / n

  // Upper triangle only, mirrored after: half the products.
  const covariance = new Float64Array(dim * dim)
  const row = new Float64Array(dim)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = (features[i * dim + j] as number) - (mean[j] as number)
    for (let j = 0; j < dim; j++) {
      const rj = row[j] as number
      const base = j * dim
      for (let k = j; k < dim; k++) covariance[base + k] = (covariance[base + k] as number) + rj * (row[k] as number)
    }
  }
  for (let j = 0; j < dim; j++) {
    for (let k = j; k < dim; k++) {
      const v = (covariance[j * dim + k] as number) / (n - 1)
      covariance[j * dim + k] = v
      covariance[k * dim + j] = v
    }
  }
  return { mean, covariance, count: n }
}

function checkStatistics(stats: FeatureStatistics, name: 'a' | 'b'): number {
  const dim = stats.mean.length
  if (dim === 0) throw new FeatureStatisticsError(name, `frechetDistance: ${name}.mean is empty`)
  if (stats.covariance.length !== dim * dim) {
    throw new FeatureStatisticsError(
      name,
      `frechetDistance: ${name}.covariance has ${stats.covariance.length} values, expected ${dim} x ${dim} for a mean of length ${dim}`,
    )
  }
  if (!Number.isInteger(stats.count) || stats.count < 2) {
    throw new FeatureStatisticsError(
      name,
      `frechetDistance: ${name}.count = ${stats.count}: the statistics need at least 2 samples`,
    )
  }
  for (const [field, values] of [
    ['mean', stats.mean],
    ['covariance', stats.covariance],
  ] as const) {
    const bad = values.findIndex((v) => !Number.isFinite(v))
    if (bad >= 0)
      throw new FeatureStatisticsError(
        name,
        `frechetDistance: ${name}.${field}[${bad}] is ${values[bad]}: every value must be finite`,
      )
  }
  return dim
}

function symmetricMatrix(values: Float64Array, dim: number): Matrix {
  const m = new Matrix(dim, dim)
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) m.set(i, j, 0.5 * ((values[i * dim + j] as number) + (values[j * dim + i] as number)))
  }
  return m
}

/** Eigenvalues of a symmetric matrix, negatives (rounding on a semi-definite matrix) clamped to 0. */
function clampedEigen(m: Matrix): { values: number[]; vectors: Matrix } {
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true })
  return { values: evd.realEigenvalues.map((v) => (v > 0 ? v : 0)), vectors: evd.eigenvectorMatrix }
}

/** Tr (S_a S_b)^{1/2} via Tr sqrt(S_a^{1/2} S_b S_a^{1/2}). */
export function traceSqrtProduct(covA: Float64Array, covB: Float64Array, dim: number): number {
  const a = clampedEigen(symmetricMatrix(covA, dim))
  // S_a^{1/2} = V diag(sqrt(lambda)) V^T
  const scaled = a.vectors.clone()
  for (let j = 0; j < dim; j++) {
    const s = Math.sqrt(a.values[j] as number)
    for (let i = 0; i < dim; i++) scaled.set(i, j, scaled.get(i, j) * s)
  }
  const sqrtA = scaled.mmul(a.vectors.transpose())
  const inner = sqrtA.mmul(symmetricMatrix(covB, dim)).mmul(sqrtA)
  const { values } = clampedEigen(symmetricMatrix(Float64Array.from(inner.to1DArray()), dim))
  let trace = 0
  for (const v of values) trace += Math.sqrt(v)
  return trace
}

/**
 * Squared Fréchet distance between the Gaussians fitted to two feature sets (the usual "FID" number,
 * which is this squared distance). Symmetric in a and b up to rounding; never negative.
 */
export function frechetDistance(a: FeatureStatistics, b: FeatureStatistics): number {
  const dimA = checkStatistics(a, 'a')
  const dimB = checkStatistics(b, 'b')
  if (dimA !== dimB)
    throw new FeatureStatisticsError(
      'b',
      `frechetDistance: a has ${dimA} features, b has ${dimB}: the statistics must come from the same feature space`,
    )
  const dim = dimA
  let meanTerm = 0
  for (let j = 0; j < dim; j++) meanTerm += ((a.mean[j] as number) - (b.mean[j] as number)) ** 2
  let traces = 0
  for (let j = 0; j < dim; j++) traces += (a.covariance[j * dim + j] as number) + (b.covariance[j * dim + j] as number)
  const d2 = meanTerm + traces - 2 * traceSqrtProduct(a.covariance, b.covariance, dim)
  // Identical sets leave a rounding residue of either sign; a squared distance is never below 0.
  return d2 > 0 ? d2 : 0
}
