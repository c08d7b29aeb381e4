/**
 * The curve series Compare draws, fetched per run through the bucket cache: every run's full range of a
 * metric, the exact buckets behind a zoomed x range, and every stored point as CSV for an export. A run's
 * logged series are read when a request needs them, so a key that joined meanwhile is seen.
 */
import type { ApiClient, SeriesSummary } from '@shared/ipc/api'
import type { MetricBucket } from '@shared/store/types'
import { runColour } from '@shared/run-colour'
import { callOn } from '../api'
import { seriesCsv } from '../compare-csv'
import {
  stepRangeForZoom,
  type CurveSeries,
  type WallUnit,
  type XAxisMode,
  type XRange,
} from '../charts/overlay-curves'
import type { CompareBuckets } from './compare-buckets'

/** Where the series come from: the bucket cache and each run's logged series. */
export interface SeriesSource {
  buckets: CompareBuckets
  summaries: (runId: string) => readonly SeriesSummary[]
}

/** The run's buckets of `key` (none when it never logged it), over `range` or the full range. */
export function fetchBuckets(
  source: SeriesSource,
  runId: string,
  key: string,
  range?: { fromStep: number; toStep: number },
): Promise<MetricBucket[]> {
  return source.buckets.fetch(source.summaries(runId), runId, key, range)
}

/** Every run's full-range buckets of `key`, with its colour and wall-time origin. */
export function fullSeries(
  source: SeriesSource,
  runs: readonly { id: string }[],
  colors: Readonly<Record<string, string>>,
  key: string,
): Promise<CurveSeries[]> {
  return Promise.all(
    runs.map(async (r): Promise<CurveSeries> => ({
      runId: r.id,
      color: colors[r.id] ?? runColour(r.id),
      buckets: await fetchBuckets(source, r.id, key),
      originMs: await source.buckets.origin(source.summaries(r.id), r.id),
    })),
  )
}

/**
 * Each run's buckets over the steps behind an x range (in the axis' unit), refetched so the zoomed view is
 * exact (W&B's full-fidelity idea); a run with no steps in the range gets none.
 */
export function zoomedSeries(
  source: SeriesSource,
  full: readonly CurveSeries[],
  key: string,
  range: XRange,
  mode: XAxisMode,
  unit: WallUnit,
): Promise<CurveSeries[]> {
  return Promise.all(
    full.map(async (s): Promise<CurveSeries> => {
      const steps = stepRangeForZoom(s, range, mode, unit)
      return { ...s, buckets: steps ? await fetchBuckets(source, s.runId, key, steps) : [] }
    }),
  )
}

/** Every stored point of `key` of every run that logged it, as one CSV (exports are never downsampled). */
export async function metricCsv(
  api: ApiClient,
  source: SeriesSource,
  runs: readonly { id: string }[],
  key: string,
): Promise<string> {
  const series = await Promise.all(
    runs
      .filter((r) => source.summaries(r.id).some((s) => s.key === key))
      .map(async (r) => ({ runId: r.id, points: await callOn(api, 'metrics.series', { runId: r.id, key }) })),
  )
  return seriesCsv(series)
}
