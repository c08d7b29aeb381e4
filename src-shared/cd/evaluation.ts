/** Evaluation records shared by the engine, the CLI, the services and the UI. */

/** Fréchet distances from fewer samples than this are biased upward; smaller evaluations are flagged where shown. */
export const FRECHET_MIN_SAMPLES = 2000

/**
 * The caveat for Fréchet figures of a run evaluated on `evalSamples` samples (its config value), or null
 * when there are enough (or the value is unknown).
 */
export function frechetCaveat(evalSamples: unknown): string | null {
  if (typeof evalSamples !== 'number' || evalSamples >= FRECHET_MIN_SAMPLES) return null
  return `from ${evalSamples} samples: below ${FRECHET_MIN_SAMPLES} the Fréchet distance is biased upward, so compare it only with runs evaluated on as many`
}

export interface Scores {
  /** Sliced Wasserstein-1 to held-out data (256 fixed directions). */
  swd: number
  /** Energy distance to held-out data. */
  energy: number
  /** RBF-MMD (mixture of bandwidths) to held-out data. */
  mmd: number
  /** Image runs: Fréchet distance to held-out images in the features of the dataset's classifier. */
  fd?: number
  /**
   * Metrics that see structure (support-metrics.ts; k-NN radii, k = 5) against held-out data: in data space
   * for 2D, in the classifier's features for images (absent there without a classifier). Absent in
   * records written before they were measured.
   */
  precision?: number
  recall?: number
  density?: number
  coverage?: number
  /** 2D: share of samples in cells of a 16 x 16 grid over the data's box that hold no held-out point. */
  offSupport?: number
}

/** The support metrics an evaluation row may carry, in the order tables show them. */
export const SUPPORT_METRICS = ['precision', 'recall', 'density', 'coverage', 'offSupport'] as const
export type SupportMetricName = (typeof SUPPORT_METRICS)[number]

export interface EvalRow extends Scores {
  /** `data` = a second held-out sample (the floor), `teacher` or `student`. */
  model: 'data' | 'teacher' | 'student'
  /** Network evaluations per sample (0 for data). */
  nfe: number
  msPerSample: number
  /**
   * Mean distance to the teacher's K = 100 sample from the same noise (student rows, and teacher rows for
   * K < 100); absent for the data floor and in records written before it was reported per NFE.
   */
  agreement?: number
}

export type MetricsByName = Record<EvalRow['model'], Record<string, Scores & { msPerSample: number }>>

/** `{ student: { nfe1: {...} }, teacher: { nfe100: {...} }, data: { nfe0: {...} } }` */
export function metricsByName(rows: EvalRow[]): MetricsByName {
  const out: MetricsByName = { data: {}, teacher: {}, student: {} }
  for (const { model, nfe, ...scores } of rows) out[model][`nfe${nfe}`] = scores
  return out
}

export function findRow(rows: EvalRow[], model: EvalRow['model'], nfe: number): EvalRow | undefined {
  return rows.find((r) => r.model === model && r.nfe === nfe)
}
