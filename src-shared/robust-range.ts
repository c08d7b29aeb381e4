/**
 * Axis ranges that survive a bad run. A diverged run's samples lie at ±1000 where the data lies at ±2; a
 * range over every point shrinks the good runs to a dot, a range fixed by the data hides the bad run
 * entirely. So sample scatters take their range from the reference points (held-out data, teacher),
 * widened by each run's central quantiles up to 1.5 times the reference's size (a run a bit wider than
 * the data still shows whole; the data still fills two thirds of the plot), and points beyond the
 * range are drawn as marks on its edge and counted. Curves get a quantile y range ("ignore outliers",
 * as W&B's) and start on a log axis when their values span decades.
 */

export interface XY {
  x: number
  y: number
}

export interface Box {
  minX: number
  maxX: number
  minY: number
  maxY: number
}

const finite = (p: XY) => Number.isFinite(p.x) && Number.isFinite(p.y)

/** The q-quantile of sorted values (linear between neighbours). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const at = Math.min(Math.max(q, 0), 1) * (sorted.length - 1)
  const lo = Math.floor(at)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo)
}

/** The box between the q and 1 - q quantiles of x and of y; null without finite points. */
export function quantileBox(points: readonly XY[], q: number): Box | null {
  const xs: number[] = []
  const ys: number[] = []
  for (const p of points)
    if (finite(p)) {
      xs.push(p.x)
      ys.push(p.y)
    }
  if (xs.length === 0) return null
  xs.sort((a, b) => a - b)
  ys.sort((a, b) => a - b)
  return { minX: quantile(xs, q), maxX: quantile(xs, 1 - q), minY: quantile(ys, q), maxY: quantile(ys, 1 - q) }
}

function union(a: Box, b: Box): Box {
  return {
    minX: Math.min(a.minX, b.minX),
    maxX: Math.max(a.maxX, b.maxX),
    minY: Math.min(a.minY, b.minY),
    maxY: Math.max(a.maxY, b.maxY),
  }
}

/** A square box around `b` (equal spans keep 2D shapes undistorted), `margin` of the span added per side. */
export function squareAround(b: Box, margin = 0.08): Box {
  const cx = (b.minX + b.maxX) / 2
  const cy = (b.minY + b.maxY) / 2
  const half = (Math.max(b.maxX - b.minX, b.maxY - b.minY, 1e-6) / 2) * (1 + 2 * margin)
  return { minX: cx - half, maxX: cx + half, minY: cy - half, maxY: cy + half }
}

export interface RobustOptions {
  /** Quantile trimmed off each side of every run's points (stray points do not stretch the range). */
  q?: number
  /** How far a run may widen the range: its sides stay within this many reference half-spans of the centre. */
  reach?: number
  margin?: number
}

/**
 * One square range for scatters of several runs: the reference points' box (held-out data and teacher;
 * their extreme 0.5% trimmed), widened to each run's central quantile box, but never beyond `reach` times
 * the reference's half-span around its centre, so a diverged run cannot shrink the others. Without
 * reference points the run with the median spread stands in for them. Null when no point is finite.
 */
export function robustSquare(
  reference: ReadonlyArray<readonly XY[]>,
  runs: ReadonlyArray<readonly XY[]>,
  options: RobustOptions = {},
): Box | null {
  const q = options.q ?? 0.02
  const reach = options.reach ?? 1.5
  const runBoxes = runs.map((r) => quantileBox(r, q)).filter((b): b is Box => b !== null)
  let ref = quantileBox(reference.flat(), 0.005)
  if (!ref) {
    const bySpan = [...runBoxes].sort(
      (a, b) => Math.max(a.maxX - a.minX, a.maxY - a.minY) - Math.max(b.maxX - b.minX, b.maxY - b.minY),
    )
    ref = bySpan[Math.floor((bySpan.length - 1) / 2)] ?? null
  }
  if (!ref) return null
  const cx = (ref.minX + ref.maxX) / 2
  const cy = (ref.minY + ref.maxY) / 2
  const half = Math.max(ref.maxX - ref.minX, ref.maxY - ref.minY, 1e-6) / 2
  const limit: Box = {
    minX: cx - reach * half,
    maxX: cx + reach * half,
    minY: cy - reach * half,
    maxY: cy + reach * half,
  }
  let box = ref
  for (const b of runBoxes) box = union(box, b)
  box = {
    minX: Math.max(box.minX, limit.minX),
    maxX: Math.min(box.maxX, limit.maxX),
    minY: Math.max(box.minY, limit.minY),
    maxY: Math.min(box.maxY, limit.maxY),
  }
  return squareAround(box, options.margin)
}

/** A square range around every finite point (a panel's own range: a diverged run shows its whole cloud). */
export function fitSquare(sets: ReadonlyArray<readonly XY[]>, margin = 0.08): Box | null {
  const b = quantileBox(sets.flat(), 0)
  return b ? squareAround(b, margin) : null
}

export interface Clipped {
  /** The points inside the box. */
  inside: XY[]
  /** The points outside it, moved onto its edge (drawn as marks there). */
  edge: XY[]
  /** Points outside the box, non-finite ones (which have no place at all) included. */
  off: number
  /** Of those, the points with a NaN or infinite coordinate (no range can show them). */
  nonFinite: number
}

/** Splits points at a box: inside as they are, outside clamped onto the edge, and counted. */
export function clipToBox(points: readonly XY[], box: Box | null): Clipped {
  if (!box) {
    const nonFinite = points.filter((p) => !finite(p)).length
    return { inside: points.filter(finite), edge: [], off: nonFinite, nonFinite }
  }
  const inside: XY[] = []
  const edge: XY[] = []
  let off = 0
  let nonFinite = 0
  for (const p of points) {
    if (!finite(p)) {
      // ±Infinity still has a side; NaN has none and is only counted.
      off++
      nonFinite++
      if (!Number.isNaN(p.x) && !Number.isNaN(p.y)) edge.push(clampTo(p, box))
      continue
    }
    if (p.x >= box.minX && p.x <= box.maxX && p.y >= box.minY && p.y <= box.maxY) inside.push(p)
    else {
      off++
      edge.push(clampTo(p, box))
    }
  }
  return { inside, edge, off, nonFinite }
}

function clampTo(p: XY, b: Box): XY {
  return { x: Math.min(Math.max(p.x, b.minX), b.maxX), y: Math.min(Math.max(p.y, b.minY), b.maxY) }
}

/** "312 points off the chart", "…, 3 of them not finite"; empty for none. */
export function offChartText(off: number, nonFinite = 0): string {
  if (off <= 0) return ''
  const base = `${off} point${off === 1 ? '' : 's'} off the chart`
  return nonFinite > 0 ? `${base}, ${nonFinite} of them not finite (NaN or ±∞)` : base
}

/**
 * A y range that ignores outliers: the 5% and 95% quantiles of the finite values (positive ones on a log
 * axis), padded by a tenth of the span (on a log axis, in decades). Null with fewer than two usable values
 * or when the quantiles coincide (nothing to ignore).
 */
export function robustYRange(values: Iterable<number>, log: boolean, q = 0.05): { min: number; max: number } | null {
  const vs: number[] = []
  for (const v of values) if (Number.isFinite(v) && (!log || v > 0)) vs.push(log ? Math.log10(v) : v)
  if (vs.length < 2) return null
  vs.sort((a, b) => a - b)
  const lo = quantile(vs, q)
  const hi = quantile(vs, 1 - q)
  if (!(hi > lo)) return null
  const pad = (hi - lo) * 0.1
  return log ? { min: 10 ** (lo - pad), max: 10 ** (hi + pad) } : { min: lo - pad, max: hi + pad }
}

/**
 * Whether values are best read on a log axis: all finite ones positive and the largest at least `decades`
 * orders of magnitude above the smallest (a loss from 1e3 down to 1e-3; a run that blew up next to good ones).
 */
export function spansDecades(values: Iterable<number>, decades = 2): boolean {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    if (v <= 0) return false
    lo = Math.min(lo, v)
    hi = Math.max(hi, v)
  }
  return hi > lo && Math.log10(hi / lo) >= decades
}
