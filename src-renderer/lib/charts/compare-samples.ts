/**
 * Samples side by side: every run's preview at the same training step, from the same fixed noise. One
 * slider runs over the union of the runs' sample steps; each panel shows its run's latest sample at or
 * before that step (runs sample at different intervals, and a short run stops early) and says which step.
 * The scatter builder draws the held-out data faintly behind the run's points, on axes shared by all panels
 * (robust ones: see robust-range.ts) or, when the user asks, each panel's own; points off the axes are
 * marked on the edge.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js'
import type { SampleRecord } from '@shared/store/types'
import { clipToBox, type Box } from '@shared/robust-range'
import { withAlpha, type ChartTheme } from './theme'

/** Student samples only: teacher and data samples are references, not training progress. */
const isStudent = (s: SampleRecord, nfe: number) => s.model === 'student' && s.nfe === nfe

/**
 * The noise most runs' student samples share. Live previews use one fixed noise in every run, while final
 * evaluation samples use the run's own seed; comparing side by side only means something on the shared one.
 * Ties go to the seed with more samples. Null when there are no student samples.
 */
export function sharedNoiseSeed(samplesByRun: ReadonlyArray<readonly SampleRecord[]>): number | null {
  const runs = new Map<number, number>()
  const counts = new Map<number, number>()
  for (const list of samplesByRun) {
    const seeds = new Set<number>()
    for (const s of list)
      if (s.model === 'student') {
        seeds.add(s.noiseSeed)
        counts.set(s.noiseSeed, (counts.get(s.noiseSeed) ?? 0) + 1)
      }
    for (const seed of seeds) runs.set(seed, (runs.get(seed) ?? 0) + 1)
  }
  let best: number | null = null
  for (const [seed, n] of runs) {
    if (best === null) best = seed
    const b = runs.get(best) as number
    if (n > b || (n === b && (counts.get(seed) ?? 0) > (counts.get(best) ?? 0))) best = seed
  }
  return best
}

/** A run's samples drawn from `noiseSeed` when it has any, else all of them (an older run, other noise). */
function onSeed(
  samples: readonly SampleRecord[],
  noiseSeed: number | null,
  keep: (s: SampleRecord) => boolean,
): SampleRecord[] {
  const all = samples.filter(keep)
  if (noiseSeed === null) return all
  const same = all.filter((s) => s.noiseSeed === noiseSeed)
  return same.length > 0 ? same : all
}

/** The NFE values the runs' student samples were drawn with, ascending. */
export function sampleNfes(samplesByRun: ReadonlyArray<readonly SampleRecord[]>): number[] {
  const set = new Set<number>()
  for (const list of samplesByRun) for (const s of list) if (s.model === 'student') set.add(s.nfe)
  return [...set].sort((a, b) => a - b)
}

/** The union of the student sample steps at `nfe` over all runs, ascending (the slider's stops). */
export function sampleSteps(
  samplesByRun: ReadonlyArray<readonly SampleRecord[]>,
  nfe: number,
  noiseSeed: number | null = null,
): number[] {
  const set = new Set<number>()
  for (const list of samplesByRun) for (const s of onSeed(list, noiseSeed, (x) => isStudent(x, nfe))) set.add(s.step)
  return [...set].sort((a, b) => a - b)
}

/**
 * The run's student sample at `nfe` with the largest step ≤ `step` (the newest one when a step has two),
 * from `noiseSeed` when the run has samples from it; null when there is none yet.
 */
export function sampleAtStep(
  samples: readonly SampleRecord[],
  step: number,
  nfe: number,
  noiseSeed: number | null = null,
): SampleRecord | null {
  let best: SampleRecord | null = null
  for (const s of onSeed(samples, noiseSeed, (x) => isStudent(x, nfe))) {
    if (s.step > step) continue
    if (!best || s.step > best.step || (s.step === best.step && s.id > best.id)) best = s
  }
  return best
}

/** The run's held-out data sample (the newest, from `noiseSeed` when there is one), drawn behind its points. */
export function dataSample(samples: readonly SampleRecord[], noiseSeed: number | null = null): SampleRecord | null {
  let best: SampleRecord | null = null
  for (const s of onSeed(samples, noiseSeed, (x) => x.model === 'data')) if (!best || s.id > best.id) best = s
  return best
}

export function isImageSample(s: SampleRecord): boolean {
  return s.kind === 'png'
}

export type Bounds = Box

type Point = { x: number; y: number }

/** Interleaved x, y, … (`dim` values per point) as chart points; only the first two coordinates are drawn. */
export function toPoints(flat: readonly number[], dim: number): Point[] {
  const d = Math.max(2, dim)
  const out: Point[] = []
  for (let i = 0; i + 1 < flat.length; i += d) out.push({ x: flat[i] as number, y: flat[i + 1] as number })
  return out
}

/**
 * One square view for all panels, so a run that spreads its points wider looks wider. Non-finite points
 * (a diverged run) are ignored; the far 0.5% on each side too, so a few stray points do not shrink the rest.
 */
export function sharedBounds(sets: ReadonlyArray<readonly Point[]>, trim = 0.005): Bounds | null {
  const xs: number[] = []
  const ys: number[] = []
  for (const set of sets)
    for (const p of set)
      if (Number.isFinite(p.x) && Number.isFinite(p.y)) {
        xs.push(p.x)
        ys.push(p.y)
      }
  if (xs.length === 0) return null
  xs.sort((a, b) => a - b)
  ys.sort((a, b) => a - b)
  const k = Math.floor(xs.length * trim)
  const lo = (a: number[]) => a[k] as number
  const hi = (a: number[]) => a[a.length - 1 - k] as number
  const cx = (lo(xs) + hi(xs)) / 2
  const cy = (lo(ys) + hi(ys)) / 2
  const half = (Math.max(hi(xs) - lo(xs), hi(ys) - lo(ys), 1e-6) / 2) * 1.08
  return { minX: cx - half, maxX: cx + half, minY: cy - half, maxY: cy + half }
}

export interface SamplePanelInput {
  runId: string
  color: string
  points: readonly Point[]
  data: readonly Point[] | null
  bounds: Bounds | null
  theme: ChartTheme
}

export function buildSampleConfig(input: SamplePanelInput): ChartConfiguration<'scatter', Point[]> {
  const datasets: Array<ChartDataset<'scatter', Point[]>> = []
  const b = input.bounds
  if (input.data)
    datasets.push({
      label: 'held-out data',
      data: clipToBox(input.data, b).inside,
      backgroundColor: input.theme.dataPoint,
      borderWidth: 0,
      pointRadius: 1.5,
    })
  const run = clipToBox(input.points, b)
  datasets.push({
    label: input.runId,
    data: run.inside,
    backgroundColor: input.color,
    borderWidth: 0,
    pointRadius: 1.5,
  })
  // Points beyond the range sit on its edge as hollow triangles: the run is visibly there, and how far off.
  if (run.edge.length > 0)
    datasets.push({
      label: `${input.runId} (off the chart)`,
      data: run.edge,
      pointStyle: 'triangle',
      backgroundColor: withAlpha(input.color, 0.15),
      borderColor: input.color,
      borderWidth: 1,
      pointRadius: 3.5,
    })
  const axis = (min: number | undefined, max: number | undefined) => ({
    type: 'linear' as const,
    ...(min !== undefined && max !== undefined ? { min, max } : {}),
    ticks: { color: input.theme.muted, maxTicksLimit: 5, includeBounds: false },
    grid: { color: input.theme.grid },
  })
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      parsing: false,
      animation: false,
      events: [],
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
      scales: { x: axis(b?.minX, b?.maxX), y: axis(b?.minY, b?.maxY) },
    },
  }
}
