/**
 * The parallel-coordinates view of a comparison (#19.10): one vertical axis per hyperparameter the runs
 * trained differently with, and the chosen final metric last; each run is a line through its values, so
 * which settings go with a good metric shows at a glance (the hyperparameter scatter shows two at a time).
 * Pure layout in unit coordinates (x and y in 0..1, y = 0 at the bottom); the component draws it in SVG.
 */
import { compactNumber } from '../format-number'

export interface ParallelRun {
  runId: string
  color: string
  /** Value per axis key (null: the run has none). */
  values: Readonly<Record<string, number | null>>
}

export interface ParallelAxisInput {
  key: string
  label: string
}

export interface ParallelAxis extends ParallelAxisInput {
  x: number
  min: number
  max: number
  /** Log scale: every value positive and spanning more than a decade (learning rates, N, metrics). */
  log: boolean
  /** Tick labels at the bottom and top of the axis (and the middle one). */
  ticks: Array<{ y: number; text: string }>
}

export interface ParallelLine {
  runId: string
  color: string
  /** One point per axis, null where the run has no value there (the line breaks). */
  points: Array<{ x: number; y: number } | null>
}

export interface ParallelLayout {
  axes: ParallelAxis[]
  lines: ParallelLine[]
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v)

function axisOf(input: ParallelAxisInput, x: number, values: number[]): ParallelAxis {
  const lo = Math.min(...values)
  const hi = Math.max(...values)
  const log = lo > 0 && hi / lo > 10
  const t = (v: number) => (log ? Math.log10(v) : v)
  const [a, b] = [t(lo), t(hi)]
  const at = (v: number) => (b === a ? 0.5 : (t(v) - a) / (b - a))
  const mid = log ? 10 ** ((a + b) / 2) : (lo + hi) / 2
  const ticks =
    lo === hi ? [{ y: 0.5, text: compactNumber(lo) }] : [lo, mid, hi].map((v) => ({ y: at(v), text: compactNumber(v) }))
  return { ...input, x, min: lo, max: hi, log, ticks }
}

/**
 * Axes spread evenly from x = 0 to 1, in the given order; an axis no run has a value on is left out.
 * A value's height is its place between the axis' min and max (the middle when all runs share it).
 */
export function parallelLayout(axesIn: readonly ParallelAxisInput[], runs: readonly ParallelRun[]): ParallelLayout {
  const kept = axesIn.filter((a) => runs.some((r) => finite(r.values[a.key])))
  const axes = kept.map((a, i) =>
    axisOf(a, kept.length === 1 ? 0.5 : i / (kept.length - 1), runs.map((r) => r.values[a.key]).filter(finite)),
  )
  const lines = runs.map((r) => ({
    runId: r.runId,
    color: r.color,
    points: axes.map((axis) => {
      const v = r.values[axis.key]
      if (!finite(v) || (axis.log && v <= 0)) return null
      const t = (u: number) => (axis.log ? Math.log10(u) : u)
      const span = t(axis.max) - t(axis.min)
      return { x: axis.x, y: span === 0 ? 0.5 : (t(v) - t(axis.min)) / span }
    }),
  }))
  return { axes, lines }
}

/** SVG path segments of a line: consecutive points joined, broken where a value is missing. */
export function linePath(points: ParallelLine['points'], width: number, height: number, pad: number): string {
  const px = (p: { x: number; y: number }) =>
    `${(pad + p.x * (width - 2 * pad)).toFixed(1)},${(pad + (1 - p.y) * (height - 2 * pad)).toFixed(1)}`
  let d = ''
  let open = false
  for (const p of points) {
    if (p === null) {
      open = false
      continue
    }
    d += `${open ? 'L' : 'M'}${px(p)} `
    open = true
  }
  return d.trim()
}
