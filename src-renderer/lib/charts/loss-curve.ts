/**
 * Curves of one run (loss, the live quality series): exact min/max/last buckets from the store for the
 * history, raw points appended as they stream, and the chart.js config for them. Pure: no DOM, no chart.js
 * runtime (type imports only), so the builders are unit-tested.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js'
import type { MetricBucket, MetricPoint, SeriesPoint } from '@shared/store/types'
import { LIGHT_THEME, withAlpha, type ChartTheme } from './theme'

export interface XY {
  x: number
  y: number
}

/** A run's curve: the line (last value per bucket, then raw points) and the min/max band of the buckets. */
export interface Curve {
  line: XY[]
  /** Bucket minima and maxima (empty where a bucket holds one point); drawn as a faint band. */
  low: XY[]
  high: XY[]
}

export const EMPTY_CURVE: Curve = { line: [], low: [], high: [] }

/** A downsampled series as a curve: each bucket's last value at its last step, plus its exact extremes. */
export function curveFromBuckets(buckets: readonly MetricBucket[]): Curve {
  const line: XY[] = []
  const low: XY[] = []
  const high: XY[] = []
  for (const b of buckets) {
    line.push({ x: b.lastStep, y: b.last })
    if (b.count > 1 && b.min !== null && b.max !== null) {
      low.push({ x: b.lastStep, y: b.min })
      high.push({ x: b.lastStep, y: b.max })
    }
  }
  return { line, low, high }
}

/**
 * The curve with `points` of series `key` appended (other keys are ignored). A point at or before the
 * curve's last step means the run went back (a resume from a checkpoint drops the later metrics), so the
 * curve is cut there first. Returns the same curve when nothing of `key` arrived.
 */
export function appendToCurve(curve: Curve, points: readonly MetricPoint[], key: string): Curve {
  const mine = points.filter((p) => p.key === key)
  if (mine.length === 0) return curve
  mine.sort((a, b) => a.step - b.step)
  const first = (mine[0] as MetricPoint).step
  const keep = (xy: XY[]): XY[] =>
    xy.length > 0 && (xy[xy.length - 1] as XY).x >= first ? xy.filter((p) => p.x < first) : xy
  const line = keep(curve.line).concat(mine.map((p) => ({ x: p.step, y: p.value })))
  return { line, low: keep(curve.low), high: keep(curve.high) }
}

export interface CurveSeries {
  label: string
  curve: Curve
  color: string
}

export interface CurveChartOptions {
  series: readonly CurveSeries[]
  logY?: boolean
  xTitle?: string
  yTitle?: string
  theme?: ChartTheme
}

/** A log axis cannot show values ≤ 0 (or NaN): they are left out rather than drawn at -Infinity. */
function forLog(points: readonly XY[], logY: boolean): XY[] {
  return logY ? points.filter((p) => p.y > 0) : (points as XY[])
}

/** A line chart of one or more curves, x = step, optional log y, each with its faint min/max band. */
export function buildCurveConfig(options: CurveChartOptions): ChartConfiguration {
  const theme = options.theme ?? LIGHT_THEME
  const logY = options.logY ?? false
  const datasets: ChartDataset<'line', XY[]>[] = []
  for (const s of options.series) {
    if (s.curve.high.length > 0) {
      // The band: max first, then min filled up to it ('-1' = the dataset before).
      datasets.push({
        label: `${s.label} (max)`,
        data: forLog(s.curve.high, logY),
        borderWidth: 0,
        pointRadius: 0,
        backgroundColor: withAlpha(s.color, 0.15),
        fill: false,
      })
      datasets.push({
        label: `${s.label} (min)`,
        data: forLog(s.curve.low, logY),
        borderWidth: 0,
        pointRadius: 0,
        backgroundColor: withAlpha(s.color, 0.15),
        fill: '-1',
      })
    }
    datasets.push({
      label: s.label,
      data: forLog(s.curve.line, logY),
      borderColor: s.color,
      backgroundColor: s.color,
      borderWidth: 1.5,
      pointRadius: 0,
      fill: false,
      spanGaps: false,
    })
  }
  const config: ChartConfiguration<'line', XY[]> = {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      animation: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: options.xTitle ?? 'step', color: theme.muted },
          ticks: { color: theme.muted },
          grid: { color: theme.grid },
        },
        y: {
          type: logY ? 'logarithmic' : 'linear',
          title: { display: Boolean(options.yTitle), text: options.yTitle ?? '', color: theme.muted },
          ticks: { color: theme.muted },
          grid: { color: theme.grid },
        },
      },
      plugins: {
        // A single curve needs no legend; several get one at the bottom (the Export button sits top right).
        legend: {
          display: options.series.length > 1,
          position: 'bottom',
          labels: { color: theme.fg, filter: (item) => !/\((min|max)\)$/.test(item.text) },
        },
        // Streams of raw points can reach tens of thousands; min/max decimation keeps frames short and extremes visible.
        decimation: { enabled: true, algorithm: 'min-max' },
        tooltip: { filter: (item) => !/\((min|max)\)$/.test(item.dataset.label ?? '') },
      },
    },
  }
  return config as unknown as ChartConfiguration
}

/** A full series as CSV (`step,value,wallMs`), NaN and infinities written as such. */
export function seriesCsv(points: readonly SeriesPoint[]): string {
  const lines = ['step,value,wallMs']
  for (const p of points) lines.push(`${p.step},${p.value},${p.wallMs}`)
  return `${lines.join('\n')}\n`
}
