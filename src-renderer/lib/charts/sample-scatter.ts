/**
 * 2D sample scatters: the student's one- and two-step samples (and the teacher's) over the held-out data
 * points, and the form's dataset preview. The axes come from the data and the teacher, widened only within
 * limits by the samples (robust-range.ts), so the view neither jumps while early, wild samples stream in nor
 * loses a diverged student: its far points are marked on the edge and counted.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js'
import type { SampleRecord } from '@shared/store/types'
import { LIGHT_THEME, type ChartTheme } from './theme'
import { clipToBox, fitSquare, robustSquare, type Box } from '@shared/robust-range'
import type { XY } from './loss-curve'

/** Interleaved coordinates (x0, y0, x1, y1, …; `dim` values per point) as chart points (first two dims). */
export function toXY(values: ArrayLike<number>, dim = 2): XY[] {
  const out: XY[] = []
  if (dim < 2) return out
  for (let i = 0; i + 1 < values.length; i += dim) out.push({ x: values[i] as number, y: values[i + 1] as number })
  return out
}

export interface Bounds {
  min: number
  max: number
}

export type LayerRole = 'data' | 'teacher' | 'nfe1' | 'nfe2' | 'preview'

export interface ScatterLayer {
  role: LayerRole
  label: string
  points: readonly XY[]
}

/** Colours per layer: data faint and grey underneath; the teacher a fainter reference; the student's NFE 1 / 2 strong. */
export function layerColor(role: LayerRole, theme: ChartTheme): string {
  switch (role) {
    case 'data':
      return theme.dataPoint
    case 'teacher':
      return 'rgba(89, 161, 79, 0.45)'
    case 'nfe1':
      return 'rgba(78, 121, 167, 0.8)'
    case 'nfe2':
      return 'rgba(242, 142, 43, 0.8)'
    case 'preview':
      return 'rgba(78, 121, 167, 0.6)'
  }
}

/**
 * Drawing order, lower on top (chart.js draws the highest `order` first): the data underneath, the teacher
 * over it, the student's two-step and then its one-step samples on top, the layer the run is about.
 */
const LAYER_ORDER: Record<LayerRole, number> = { data: 40, teacher: 30, nfe2: 10, nfe1: 0, preview: 0 }

/**
 * Layers the range is set by rather than merely widened by: the held-out data, or the teacher where there
 * is no data. A teacher beside the data only widens the range as the student does (a poorly trained teacher
 * spreads far and would otherwise shrink the data it should be judged against).
 */
const referenceRoles = (layers: readonly ScatterLayer[]): LayerRole[] =>
  layers.some((l) => l.role === 'data') ? ['data'] : ['teacher']

export type RangeMode = 'robust' | 'fit'

export interface ScatterOptions {
  layers: readonly ScatterLayer[]
  /** Axis range; default: see `range`. */
  bounds?: Bounds
  /**
   * `robust` (default): around the data and teacher, widened by the samples' central quantiles up to 1.5
   * times that (robust-range.ts), points beyond marked on the edge; `fit`: around every shown point.
   */
  range?: RangeMode
  /** Layers switched off by the user: not drawn, not counted, not ranged over. */
  hidden?: readonly LayerRole[]
  theme?: ChartTheme
  legend?: boolean
  pointRadius?: number
}

/** The square box the scatter shows (both axes the same span, so shapes are not distorted). */
export function scatterBox(options: ScatterOptions): Box {
  if (options.bounds)
    return { minX: options.bounds.min, maxX: options.bounds.max, minY: options.bounds.min, maxY: options.bounds.max }
  const shown = options.layers.filter((l) => !options.hidden?.includes(l.role))
  const box =
    options.range === 'fit'
      ? fitSquare(shown.map((l) => l.points))
      : robustSquare(
          options.layers.filter((l) => referenceRoles(options.layers).includes(l.role)).map((l) => l.points),
          shown.filter((l) => !referenceRoles(options.layers).includes(l.role)).map((l) => l.points),
        )
  return box ?? { minX: -2, maxX: 2, minY: -2, maxY: 2 }
}

/** How many shown sample points lie outside the box (marked on its edge), and how many of them are not finite. */
export function offChart(options: ScatterOptions, box: Box = scatterBox(options)): { off: number; nonFinite: number } {
  let off = 0
  let nonFinite = 0
  for (const l of options.layers)
    if (l.role !== 'data' && !options.hidden?.includes(l.role)) {
      const c = clipToBox(l.points, box)
      off += c.off
      nonFinite += c.nonFinite
    }
  return { off, nonFinite }
}

/** How many shown sample points lie outside the box. */
export function offChartCount(options: ScatterOptions, box: Box = scatterBox(options)): number {
  return offChart(options, box).off
}

export function buildScatterConfig(options: ScatterOptions): ChartConfiguration {
  const theme = options.theme ?? LIGHT_THEME
  const box = scatterBox(options)
  const datasets: ChartDataset<'scatter', XY[]>[] = []
  for (const layer of options.layers) {
    const hidden = options.hidden?.includes(layer.role) ?? false
    const clipped = clipToBox(layer.points, box)
    const color = layerColor(layer.role, theme)
    datasets.push({
      label: layer.label,
      data: clipped.inside,
      backgroundColor: color,
      borderWidth: 0,
      pointRadius: layer.role === 'data' ? 1.5 : (options.pointRadius ?? 2),
      pointHoverRadius: 3,
      order: LAYER_ORDER[layer.role],
      hidden,
    })
    // The held-out data only frames the view; a sample layer's far points are marked where they left it.
    if (layer.role !== 'data' && clipped.edge.length > 0)
      datasets.push({
        label: `${layer.label} (off the chart)`,
        data: clipped.edge,
        pointStyle: 'triangle',
        backgroundColor: 'transparent',
        borderColor: color,
        borderWidth: 1,
        pointRadius: 3.5,
        order: LAYER_ORDER[layer.role],
        hidden,
      })
  }
  const axis = (min: number, max: number) => ({
    type: 'linear' as const,
    min,
    max,
    // No labels at the range's own (unround) ends: "651" and "-567" next to 500 and 0 read as noise.
    ticks: { color: theme.muted, maxTicksLimit: 5, includeBounds: false },
    grid: { color: theme.grid },
  })
  const config: ChartConfiguration<'scatter', XY[]> = {
    type: 'scatter',
    data: { datasets },
    options: {
      parsing: false,
      animation: false,
      normalized: true,
      aspectRatio: 1,
      scales: { x: axis(box.minX, box.maxX), y: axis(box.minY, box.maxY) },
      plugins: {
        // At the bottom: the chart's Export button sits at the top right. The edge marks share their
        // layer's entry; the series toggles sit beside the chart (a legend click would not survive a rebuild).
        legend: {
          display: options.legend ?? true,
          position: 'bottom',
          labels: { color: theme.fg, boxWidth: 10, filter: (item) => !/\(off the chart\)$/.test(item.text) },
        },
        tooltip: { enabled: false },
      },
    },
  }
  return config as unknown as ChartConfiguration
}

/** The samples a live view shows: the student previews at one and two steps, the teacher, the data. */
export interface SampleSelection {
  data: SampleRecord | null
  teacher: SampleRecord | null
  nfe1: SampleRecord | null
  nfe2: SampleRecord | null
  /** The training step of the student samples shown. */
  step: number | null
}

/** The shown samples in drawing order with their labels: held-out data, the teacher, the student at 1 and 2 steps. */
export function shownSamples(sel: SampleSelection): Array<{ role: LayerRole; label: string; sample: SampleRecord }> {
  const all = [
    { role: 'data', label: 'held-out data', sample: sel.data },
    { role: 'teacher', label: `teacher (${sel.teacher?.nfe ?? 100} steps)`, sample: sel.teacher },
    { role: 'nfe1', label: 'student, 1 step', sample: sel.nfe1 },
    { role: 'nfe2', label: 'student, 2 steps', sample: sel.nfe2 },
  ] as const
  return all.flatMap((s) => (s.sample ? [{ role: s.role, label: s.label, sample: s.sample }] : []))
}

export interface SelectOptions {
  /** Show the previews at this training step (the newest at or before it); null or absent: the newest. */
  step?: number | null
  /** `points`: 2D samples (points2d, csv2d); `png`: image grids. */
  format?: 'points' | 'png'
}

const drawable = (format: 'points' | 'png') => (s: SampleRecord) =>
  format === 'png' ? s.kind === 'png' : s.kind === 'points2d' || s.kind === 'csv2d'

function latest(samples: readonly SampleRecord[], keep: (s: SampleRecord) => boolean): SampleRecord | null {
  let best: SampleRecord | null = null
  for (const s of samples)
    if (keep(s) && (!best || s.step > best.step || (s.step === best.step && s.id > best.id))) best = s
  return best
}

/**
 * The training steps a run has previews at, ascending (a step slider's stops): the student's steps, or the
 * teacher's own preview steps for a teacher run (no student samples).
 */
export function previewSteps(samples: readonly SampleRecord[], format: 'points' | 'png' = 'points'): number[] {
  const pts = samples.filter(drawable(format))
  const student = pts.filter((s) => s.model === 'student' && (s.nfe === 1 || s.nfe === 2))
  const from = student.length > 0 ? student : pts.filter((s) => s.model === 'teacher')
  return [...new Set(from.map((s) => s.step))].sort((a, b) => a - b)
}

/**
 * Picks from a run's samples: the 1-step student sample at the chosen step (the newest one by default), the
 * 2-step one of the same step (or the newest before it), the teacher's many-step sample (NFE 100 preferred;
 * drawn from the same noise as the student sample when there is one, so they compare image for image) and
 * the held-out data.
 */
export function selectSamples(samples: readonly SampleRecord[], options: SelectOptions = {}): SampleSelection {
  const all = samples.filter(drawable(options.format ?? 'points'))
  // Image runs store live previews (64 images, the fixed preview noise) and, at the last step, final grids
  // of the evaluation size from the run's own noise: the previews keep every step's grids alike.
  const previews = options.format === 'png' ? all.filter((s) => s.role === 'preview') : []
  const pts = previews.length > 0 ? previews : all
  const upTo = options.step ?? null
  const atOrBefore = (s: SampleRecord) => upTo === null || s.step <= upTo
  const nfe1 = latest(pts, (s) => s.model === 'student' && s.nfe === 1 && atOrBefore(s))
  const step = nfe1?.step ?? null
  const nfe2 = latest(
    pts,
    (s) => s.model === 'student' && s.nfe === 2 && (step === null ? atOrBefore(s) : s.step <= step),
  )
  const seed = (nfe1 ?? nfe2)?.noiseSeed
  const teachers = pts.filter((s) => s.model === 'teacher')
  const pickTeacher = (list: SampleRecord[]) =>
    latest(list, (s) => s.nfe === 100 && atOrBefore(s)) ??
    latest(list, atOrBefore) ??
    latest(list, (s) => s.nfe === 100) ??
    latest(list, () => true)
  const sameNoise = seed === undefined ? [] : teachers.filter((s) => s.noiseSeed === seed)
  const teacher = (sameNoise.length > 0 ? pickTeacher(sameNoise) : null) ?? pickTeacher(teachers)
  const data =
    latest(pts, (s) => s.model === 'data' && (seed === undefined || s.noiseSeed === seed)) ??
    latest(pts, (s) => s.model === 'data')
  // A teacher run has no student: its teacher preview sets the step.
  return { data, teacher, nfe1, nfe2, step: step ?? nfe2?.step ?? teacher?.step ?? null }
}
