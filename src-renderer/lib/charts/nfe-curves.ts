/**
 * Quality-vs-NFE curves (ux-anchors §4.1): x = network evaluations per sample on a log axis, y = a distance
 * to held-out data or a support metric (precision, recall, density, coverage, off-support share: #17), one solid curve per run from its final evaluation (the student at 1, 2, 4, 8 steps),
 * the teacher's K = 1, 10, 100 curve dashed beside them, and the data-vs-data floor as a dotted line.
 * Runs that share a teacher and noise have identical teacher rows and floors: those are drawn once.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js'
import type { EvaluationRecord } from '@shared/store/types'
import { canonicalJson } from '../config-diff'
import type { ChartTheme } from './theme'

export const QUALITY_METRICS = [
  'swd',
  'energy',
  'mmd',
  'fd',
  'agreement',
  'precision',
  'recall',
  'density',
  'coverage',
  'offSupport',
] as const
export type QualityMetric = (typeof QUALITY_METRICS)[number]
export const QUALITY_LABELS: Record<QualityMetric, string> = {
  swd: 'sliced Wasserstein',
  energy: 'energy distance',
  mmd: 'MMD',
  fd: 'Fréchet distance (images)',
  agreement: "distance to the teacher's 100-step sample (agreement)",
  precision: 'precision (k-NN support)',
  recall: 'recall (k-NN support)',
  density: 'density',
  coverage: 'coverage',
  offSupport: 'share off the data support (2D grid)',
}

/** Metrics where more is better (the share of samples on the data's support and the like); the rest are distances. */
export const HIGHER_IS_BETTER: ReadonlySet<QualityMetric> = new Set(['precision', 'recall', 'density', 'coverage'])

/** The y axis title: what is measured, against what, and which way is better. */
export function qualityAxisTitle(metric: QualityMetric): string {
  if (metric === 'agreement') return `${QUALITY_LABELS[metric]} (lower is closer)`
  const better = HIGHER_IS_BETTER.has(metric) ? 'higher is better' : 'lower is better'
  return `${QUALITY_LABELS[metric]} against held-out data (${better})`
}

/** The records of a run's last evaluated step (a run evaluated several times is judged by its end). */
export function finalEvaluations(records: readonly EvaluationRecord[]): EvaluationRecord[] {
  if (records.length === 0) return []
  let step = -Infinity
  for (const r of records) if (r.step > step) step = r.step
  return records.filter((r) => r.step === step)
}

/** One value of a final evaluation; `nfe` omitted = the largest NFE of that model (teacher K = 100). */
export function evalValue(
  final: readonly EvaluationRecord[],
  metric: string,
  model: string,
  nfe?: number,
): number | null {
  let best: EvaluationRecord | null = null
  for (const r of final) {
    if (r.metric !== metric || r.model !== model) continue
    if (nfe !== undefined ? r.nfe === nfe : best === null || r.nfe > best.nfe) best = r
  }
  return best ? best.value : null
}

type Point = { x: number; y: number }

/** (nfe, value) of one model and metric, in increasing NFE; NFE 0 (data) cannot sit on a log axis. */
export function pointsAtNfe(final: readonly EvaluationRecord[], model: string, metric: string): Point[] {
  return final
    .filter((r) => r.model === model && r.metric === metric && r.nfe > 0)
    .map((r) => ({ x: r.nfe, y: r.value }))
    .sort((a, b) => a.x - b.x)
}

export interface NfeRun {
  runId: string
  color: string
  /** All evaluation records of the run (the final step is picked here). */
  evaluations: readonly EvaluationRecord[]
}

export interface NfeOptions {
  metric: QualityMetric
  logY: boolean
  theme: ChartTheme
}

/** NFE values worth a tick label; the log axis generates 1..9, 10..90, … and the rest stay unlabelled. */
const NFE_TICKS = new Set([1, 2, 4, 8, 10, 16, 20, 50, 100, 200, 500, 1000])

/** Groups runs whose series are identical, keeping first-seen order. */
function groupIdentical<T>(
  items: Array<{ runId: string; color: string; value: T }>,
): Array<{ runIds: string[]; color: string; value: T }> {
  const groups = new Map<string, { runIds: string[]; color: string; value: T }>()
  for (const item of items) {
    const key = canonicalJson(item.value)
    const g = groups.get(key)
    if (g) g.runIds.push(item.runId)
    else groups.set(key, { runIds: [item.runId], color: item.color, value: item.value })
  }
  return [...groups.values()]
}

export function buildNfeConfig(runs: readonly NfeRun[], options: NfeOptions): ChartConfiguration<'line', Point[]> {
  const finals = runs.map((r) => ({ run: r, final: finalEvaluations(r.evaluations) }))
  // A log axis cannot place 0 (the teacher's K = 100 agreement with itself): such points are left out.
  const nfePoints = (final: readonly EvaluationRecord[], model: string, metric: string) =>
    pointsAtNfe(final, model, metric).filter((p) => !options.logY || p.y > 0)
  const datasets: Array<ChartDataset<'line', Point[]>> = []
  let maxX = 8
  for (const { run, final } of finals) {
    const data = nfePoints(final, 'student', options.metric)
    for (const p of data) maxX = Math.max(maxX, p.x)
    datasets.push({
      label: run.runId,
      data,
      borderColor: run.color,
      backgroundColor: run.color,
      borderWidth: 2,
      pointRadius: 3.5,
      fill: false,
    })
  }
  const teachers = groupIdentical(
    finals
      .map(({ run, final }) => ({
        runId: run.runId,
        color: run.color,
        value: nfePoints(final, 'teacher', options.metric),
      }))
      .filter((t) => t.value.length > 0),
  )
  for (const t of teachers) {
    for (const p of t.value) maxX = Math.max(maxX, p.x)
    datasets.push({
      label: teachers.length === 1 ? 'teacher' : `teacher (${t.runIds.join(', ')})`,
      data: t.value,
      borderColor: teachers.length === 1 ? options.theme.fg : t.color,
      backgroundColor: teachers.length === 1 ? options.theme.fg : t.color,
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 3,
      pointStyle: 'rectRot',
      fill: false,
    })
  }
  const floors = groupIdentical(
    finals
      .map(({ run, final }) => ({
        runId: run.runId,
        color: run.color,
        value: evalValue(final, options.metric, 'data', 0),
      }))
      .filter((f): f is { runId: string; color: string; value: number } => f.value !== null),
  )
  for (const f of floors) {
    datasets.push({
      label: floors.length === 1 ? 'data floor' : `data floor (${f.runIds.join(', ')})`,
      data: [
        { x: 1, y: f.value },
        { x: maxX, y: f.value },
      ],
      borderColor: floors.length === 1 ? options.theme.muted : f.color,
      backgroundColor: floors.length === 1 ? options.theme.muted : f.color,
      borderDash: [2, 3],
      borderWidth: 1,
      pointRadius: 0,
      fill: false,
    })
  }
  const tick = { color: options.theme.muted }
  const grid = { color: options.theme.grid }
  return {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      animation: false,
      interaction: { mode: 'nearest', intersect: true },
      plugins: { legend: { display: true, labels: { color: options.theme.fg, boxHeight: 2 } } },
      scales: {
        x: {
          type: 'logarithmic',
          min: 1,
          max: maxX,
          title: { display: true, text: 'network evaluations per sample (NFE)', color: options.theme.muted },
          ticks: { ...tick, autoSkip: false, callback: (v) => (NFE_TICKS.has(Number(v)) ? String(v) : '') },
          grid,
        },
        y: {
          type: options.logY ? 'logarithmic' : 'linear',
          ...(options.logY ? {} : { beginAtZero: true }),
          title: {
            display: true,
            text: qualityAxisTitle(options.metric),
            color: options.theme.muted,
          },
          ticks: tick,
          grid,
        },
      },
    },
  }
}
