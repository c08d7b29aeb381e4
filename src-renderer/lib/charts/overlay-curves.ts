/**
 * The overlaid-curves chart of the Compare view, as a pure function of the downsampled buckets: per run a
 * faint raw curve (bucket `last` values) behind the debiased-EMA smoothed one in the same colour, and
 * optionally the exact min/max envelope of the buckets. Only ~1000 buckets per run ever reach chart.js
 * (`parsing: false`, no animation), which keeps 20 runs × 100k points interactive.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js'
import type { MetricBucket } from '@shared/store/types'
import { debiasedEma } from '../smoothing'
import { withAlpha, type ChartTheme } from './theme'

export type XAxisMode = 'step' | 'wall'

export interface CurveSeries {
  runId: string
  color: string
  buckets: readonly MetricBucket[]
  /** The run's first wall time (ms): x = 0 in wall-time mode. Falls back to the first bucket when null. */
  originMs: number | null
}

export interface XRange {
  min: number
  max: number
}

export interface OverlayOptions {
  metric: string
  smoothing: number
  logX: boolean
  logY: boolean
  xAxis: XAxisMode
  envelope: boolean
  /** The zoomed x range (in the axis' unit), kept on the axis while the refetched buckets arrive. */
  xRange?: XRange | null
  /** The wall-time unit; pass the one of the unzoomed series so a zoomed range keeps its meaning. */
  wallUnit?: WallUnit
  theme: ChartTheme
}

export interface WallUnit {
  unit: 's' | 'min' | 'h'
  /** Seconds per unit. */
  seconds: number
}

/** Seconds up to 2 minutes, minutes up to 2 hours, then hours: axis numbers stay short. */
export function wallUnit(maxSeconds: number): WallUnit {
  if (maxSeconds <= 120) return { unit: 's', seconds: 1 }
  if (maxSeconds <= 7200) return { unit: 'min', seconds: 60 }
  return { unit: 'h', seconds: 3600 }
}

function origin(series: CurveSeries): number {
  return series.originMs ?? series.buckets[0]?.lastWallMs ?? 0
}

/** The unit of the wall-time axis for these runs (the longest run decides). */
export function wallUnitFor(series: readonly CurveSeries[]): WallUnit {
  let max = 0
  for (const s of series) {
    const last = s.buckets[s.buckets.length - 1]
    if (last) max = Math.max(max, (last.lastWallMs - origin(s)) / 1000)
  }
  return wallUnit(max)
}

/** x of a bucket: its last step, or the relative wall time of that step in `unit`. */
export function bucketX(bucket: MetricBucket, mode: XAxisMode, originMs: number, unit: WallUnit): number {
  return mode === 'step' ? bucket.lastStep : (bucket.lastWallMs - originMs) / 1000 / unit.seconds
}

type Point = { x: number; y: number }
type LineDataset = ChartDataset<'line', Point[]>

/** Roles of the datasets of one run, in drawing order (tests and the tooltip filter read them). */
export type CurveRole = 'max' | 'min' | 'raw' | 'smoothed'

export function datasetLabel(runId: string, role: CurveRole): string {
  return role === 'smoothed' ? runId : `${runId} (${role})`
}

/** Values a log axis cannot place become gaps rather than being clamped to a misleading value. */
const forLog = (y: number | null, log: boolean): number => (y === null || (log && !(y > 0)) ? NaN : y)

export function buildOverlayConfig(
  series: readonly CurveSeries[],
  options: OverlayOptions,
): ChartConfiguration<'line', Point[]> {
  const unit = options.wallUnit ?? wallUnitFor(series)
  const datasets: LineDataset[] = []
  for (const s of series) {
    const o = origin(s)
    const buckets = options.logX ? s.buckets.filter((b) => bucketX(b, options.xAxis, o, unit) > 0) : s.buckets
    const xs = buckets.map((b) => bucketX(b, options.xAxis, o, unit))
    const raw = buckets.map((b) => b.last)
    const common = { pointRadius: 0, pointHitRadius: 4, spanGaps: false, tension: 0 }
    if (options.envelope) {
      datasets.push({
        ...common,
        label: datasetLabel(s.runId, 'max'),
        data: buckets.map((b, i) => ({ x: xs[i] as number, y: forLog(b.max, options.logY) })),
        borderWidth: 0,
        borderColor: 'transparent',
        backgroundColor: withAlpha(s.color, 0.15),
        fill: false,
      })
      datasets.push({
        ...common,
        label: datasetLabel(s.runId, 'min'),
        data: buckets.map((b, i) => ({ x: xs[i] as number, y: forLog(b.min, options.logY) })),
        borderWidth: 0,
        borderColor: 'transparent',
        backgroundColor: withAlpha(s.color, 0.15),
        // Filled up to the max dataset just before it: the band every raw value of a bucket lies in.
        fill: '-1',
      })
    }
    const smoothed = options.smoothing > 0 ? debiasedEma(raw, options.smoothing) : raw
    if (options.smoothing > 0) {
      datasets.push({
        ...common,
        label: datasetLabel(s.runId, 'raw'),
        data: raw.map((y, i) => ({ x: xs[i] as number, y: forLog(y, options.logY) })),
        borderColor: withAlpha(s.color, 0.25),
        backgroundColor: withAlpha(s.color, 0.25),
        borderWidth: 1,
        fill: false,
      })
    }
    datasets.push({
      ...common,
      label: datasetLabel(s.runId, 'smoothed'),
      data: smoothed.map((y, i) => ({ x: xs[i] as number, y: forLog(y, options.logY) })),
      borderColor: s.color,
      backgroundColor: s.color,
      borderWidth: 1.75,
      fill: false,
    })
  }
  const xTitle = options.xAxis === 'step' ? 'step' : `wall time (${unit.unit}, from the run's start)`
  const tick = { color: options.theme.muted }
  const grid = { color: options.theme.grid }
  return {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      normalized: true,
      animation: false,
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      plugins: {
        legend: { display: false },
        // One row per run: the smoothed value (raw and envelope sit at the same x and would repeat it).
        tooltip: { filter: (item) => !/ \((?:raw|min|max)\)$/.test(item.dataset.label ?? '') },
      },
      scales: {
        x: {
          type: options.logX ? 'logarithmic' : 'linear',
          ...(options.xRange ? { min: options.xRange.min, max: options.xRange.max } : {}),
          title: { display: true, text: xTitle, color: options.theme.muted },
          ticks: tick,
          grid,
        },
        y: {
          type: options.logY ? 'logarithmic' : 'linear',
          title: { display: true, text: options.metric, color: options.theme.muted },
          ticks: tick,
          grid,
        },
      },
    },
  }
}

export interface StepRange {
  fromStep: number
  toStep: number
}

/**
 * The step range of one run behind a zoomed x range, so its buckets can be refetched exactly. For x = step
 * that is the range itself; for x = wall time, the buckets whose x falls inside, widened by one bucket on
 * each side so the curve reaches the edges of the view. Null when nothing of the run is in view.
 */
export function stepRangeForZoom(
  series: CurveSeries,
  range: XRange,
  mode: XAxisMode,
  unit: WallUnit,
): StepRange | null {
  if (mode === 'step') {
    const fromStep = Math.max(0, Math.floor(range.min))
    const toStep = Math.max(fromStep, Math.ceil(range.max))
    return { fromStep, toStep }
  }
  const o = origin(series)
  const b = series.buckets
  let first = -1
  let last = -1
  for (let i = 0; i < b.length; i++) {
    const x = bucketX(b[i] as MetricBucket, mode, o, unit)
    if (x >= range.min && x <= range.max) {
      if (first < 0) first = i
      last = i
    }
  }
  if (first < 0) return null
  const lo = b[Math.max(0, first - 1)] as MetricBucket
  const hi = b[Math.min(b.length - 1, last + 1)] as MetricBucket
  return { fromStep: lo.start, toStep: hi.end }
}
