/**
 * The metric buckets Compare draws, fetched and cached outside the reactive state: full-range buckets are
 * kept by run and key, so a zoom reset or a switch back to a metric needs no request, and each run's
 * wall-time origin is asked once.
 */
import type { ApiClient, SeriesSummary } from '@shared/ipc/api'
import type { MetricBucket } from '@shared/store/types'
import { callOn } from '../api'

/** Buckets per run and request: what reaches chart.js, whatever the length of the series. */
export const CURVE_BUCKETS = 1000

/** The series every run logs from its first step: its first point is the run's wall-time origin. */
export const ORIGIN_KEY = 'loss'

export class CompareBuckets {
  /** Full-range buckets by `runId\nkey`. */
  private fullCache = new Map<string, MetricBucket[]>()
  private origins = new Map<string, Promise<number | null>>()

  constructor(private readonly api: ApiClient) {}

  clear(): void {
    this.fullCache.clear()
    this.origins.clear()
  }

  /** Drops the cached full ranges of keys that got new points. */
  invalidate(runId: string, keys: Iterable<string>): void {
    for (const k of keys) this.fullCache.delete(`${runId}\n${k}`)
  }

  /** The run's buckets of `key` (none when the run never logged it), over `range` or the full range. */
  async fetch(
    summaries: readonly SeriesSummary[],
    runId: string,
    key: string,
    range?: { fromStep: number; toStep: number },
  ): Promise<MetricBucket[]> {
    if (!summaries.some((s) => s.key === key)) return []
    if (!range) {
      const cached = this.fullCache.get(`${runId}\n${key}`)
      if (cached) return cached
    }
    const buckets = await callOn(this.api, 'metrics.downsampled', {
      runId,
      key,
      buckets: CURVE_BUCKETS,
      ...(range ?? {}),
    })
    if (!range) this.fullCache.set(`${runId}\n${key}`, buckets)
    return buckets
  }

  /** The wall time of the run's first logged point (x = 0 in wall-time mode); null when unknown. */
  origin(summaries: readonly SeriesSummary[], runId: string): Promise<number | null> {
    let p = this.origins.get(runId)
    if (!p) {
      const summary = summaries.find((s) => s.key === ORIGIN_KEY) ?? summaries[0]
      const firstStep = summary?.firstStep
      p =
        summary && firstStep !== null && firstStep !== undefined
          ? callOn(this.api, 'metrics.series', {
              runId,
              key: summary.key,
              fromStep: firstStep,
              toStep: firstStep,
            }).then(
              (points) => points[0]?.wallMs ?? null,
              () => null,
            )
          : Promise.resolve(null)
      this.origins.set(runId, p)
    }
    return p
  }
}

/** The keys of the runs' series: loss, lr and the quality previews first, then the rest alphabetically. */
export function collectKeys(summaries: Readonly<Record<string, readonly SeriesSummary[]>>): string[] {
  const keys = new Set<string>()
  for (const list of Object.values(summaries)) for (const s of list) keys.add(s.key)
  const first = ['loss', 'lr', 'swd/nfe1', 'swd/nfe2', 'eval/swd_nfe1']
  return [...first.filter((k) => keys.has(k)), ...[...keys].filter((k) => !first.includes(k)).sort()]
}
