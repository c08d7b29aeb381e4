/**
 * Hyperparameter-vs-metric scatter: one point per run, x = a numeric config field, y = one value of its
 * final evaluation (e.g. student SWD at NFE 1), coloured like the run everywhere else in the view.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js'
import type { EvaluationRecord } from '@shared/store/types'
import { evalValue } from './nfe-curves'
import type { ChartTheme } from './theme'

/** A final-metric choice: which model, metric and NFE. `nfe` null = the model's largest (teacher K = 100). */
export interface MetricChoice {
  key: string
  label: string
  model: string
  metric: string
  nfe: number | null
}

const MODEL_ORDER = ['student', 'teacher', 'data']
const METRIC_NAMES: Record<string, string> = {
  swd: 'SWD',
  energy: 'energy',
  mmd: 'MMD',
  fd: 'Fréchet',
  msPerSample: 'ms/sample',
  agreement: 'agreement',
}

export function metricChoiceKey(model: string, metric: string, nfe: number): string {
  return `${model}/${metric}/${nfe}`
}

/** Every (model, metric, NFE) some run's final evaluation has, students first. */
export function metricChoices(finals: ReadonlyArray<readonly EvaluationRecord[]>): MetricChoice[] {
  const seen = new Map<string, MetricChoice>()
  for (const final of finals)
    for (const r of final) {
      const key = metricChoiceKey(r.model, r.metric, r.nfe)
      if (seen.has(key)) continue
      const where = r.model === 'data' ? 'data floor' : `${r.model} NFE ${r.nfe}`
      seen.set(key, {
        key,
        label: `${METRIC_NAMES[r.metric] ?? r.metric}: ${where}`,
        model: r.model,
        metric: r.metric,
        nfe: r.nfe,
      })
    }
  const rank = (c: MetricChoice) => {
    const m = MODEL_ORDER.indexOf(c.model)
    return (m < 0 ? 9 : m) * 1e9 + Object.keys(METRIC_NAMES).indexOf(c.metric) * 1e6 + (c.nfe ?? 0)
  }
  return [...seen.values()].sort((a, b) => rank(a) - rank(b))
}

export function choiceValue(final: readonly EvaluationRecord[], choice: MetricChoice): number | null {
  return evalValue(final, choice.metric, choice.model, choice.nfe ?? undefined)
}

/** A finite number from a config field, else null (missing, string, NaN). */
export function configNumber(config: unknown, field: string): number | null {
  if (config === null || typeof config !== 'object') return null
  const v = (config as Record<string, unknown>)[field]
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

export interface HparamPoint {
  runId: string
  color: string
  x: number | null
  y: number | null
}

export interface HparamOptions {
  xField: string
  yLabel: string
  logX: boolean
  logY: boolean
  theme: ChartTheme
}

type Point = { x: number; y: number }

export function buildHparamConfig(
  points: readonly HparamPoint[],
  options: HparamOptions,
): ChartConfiguration<'scatter', Point[]> {
  const placeable = (v: number | null, log: boolean): v is number => v !== null && Number.isFinite(v) && (!log || v > 0)
  const datasets: Array<ChartDataset<'scatter', Point[]>> = points
    .filter((p) => placeable(p.x, options.logX) && placeable(p.y, options.logY))
    .map((p) => ({
      label: p.runId,
      data: [{ x: p.x as number, y: p.y as number }],
      backgroundColor: p.color,
      borderColor: p.color,
      pointRadius: 6,
      pointHoverRadius: 8,
    }))
  const tick = { color: options.theme.muted }
  const grid = { color: options.theme.grid }
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      parsing: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: {
        x: {
          type: options.logX ? 'logarithmic' : 'linear',
          title: { display: true, text: options.xField, color: options.theme.muted },
          ticks: tick,
          grid,
        },
        y: {
          type: options.logY ? 'logarithmic' : 'linear',
          title: { display: true, text: options.yLabel, color: options.theme.muted },
          ticks: tick,
          grid,
        },
      },
    },
  }
}
