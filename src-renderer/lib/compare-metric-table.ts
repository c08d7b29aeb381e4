/**
 * The Compare view's table of final evaluations: which metric each column shows (model, metric, NFE), the
 * rows read from the runs' final evaluations, the best value per column, the sort and the Fréchet caveats.
 * Pure, so the table's rules are tested without a view.
 */
import { frechetCaveat } from '@shared/cd/evaluation'
import type { EvaluationRecord, Run } from '@shared/store/types'
import { evalValue, finalEvaluations } from './charts/nfe-curves'

export interface MetricColumn {
  key: string
  label: string
  title: string
  model: string
  metric: string
  /** null = the model's largest NFE (the teacher's K = 100). */
  nfe: number | null
  /** Whether the best value is highlighted (references such as the teacher and the floor are not ranked). */
  ranked: boolean
  /** Shown only when some compared run has a value (the Fréchet distance exists for image runs only). */
  optional?: boolean
  /** The best value is the highest (precision, recall, coverage); otherwise the lowest. */
  higherIsBetter?: boolean
}

/** A support-metric column (#17): optional, so runs evaluated before these metrics existed hide them. */
function support(
  key: string,
  label: string,
  title: string,
  model: string,
  metric: string,
  nfe: number | null,
  ranked = true,
): MetricColumn {
  return { key, label, title, model, metric, nfe, ranked, optional: true, higherIsBetter: metric !== 'offSupport' }
}

export const METRIC_COLUMNS: readonly MetricColumn[] = [
  {
    key: 'swd1',
    label: 'SWD · 1',
    title: 'student sliced Wasserstein, 1 step',
    model: 'student',
    metric: 'swd',
    nfe: 1,
    ranked: true,
  },
  {
    key: 'swd2',
    label: 'SWD · 2',
    title: 'student sliced Wasserstein, 2 steps',
    model: 'student',
    metric: 'swd',
    nfe: 2,
    ranked: true,
  },
  {
    key: 'energy1',
    label: 'energy · 1',
    title: 'student energy distance, 1 step',
    model: 'student',
    metric: 'energy',
    nfe: 1,
    ranked: true,
  },
  {
    key: 'energy2',
    label: 'energy · 2',
    title: 'student energy distance, 2 steps',
    model: 'student',
    metric: 'energy',
    nfe: 2,
    ranked: true,
  },
  {
    key: 'mmd1',
    label: 'MMD · 1',
    title: 'student MMD, 1 step',
    model: 'student',
    metric: 'mmd',
    nfe: 1,
    ranked: true,
  },
  {
    key: 'mmd2',
    label: 'MMD · 2',
    title: 'student MMD, 2 steps',
    model: 'student',
    metric: 'mmd',
    nfe: 2,
    ranked: true,
  },
  support(
    'prec1',
    'prec · 1',
    'student precision, 1 step: share of samples on the held-out data support',
    'student',
    'precision',
    1,
  ),
  support('prec2', 'prec · 2', 'student precision, 2 steps', 'student', 'precision', 2),
  support(
    'recall1',
    'recall · 1',
    'student recall, 1 step: share of held-out data on the samples support',
    'student',
    'recall',
    1,
  ),
  // Density is about 1 for samples spread as the data is; above 1 they crowd its dense parts: no best either way.
  support(
    'density1',
    'density · 1',
    'student density, 1 step: held-out neighbourhoods holding each sample, over k; about 1 for data-like samples, above 1 where they crowd (unranked)',
    'student',
    'density',
    1,
    false,
  ),
  support(
    'coverage1',
    'coverage · 1',
    'student coverage, 1 step: share of held-out points whose neighbourhood holds a sample',
    'student',
    'coverage',
    1,
  ),
  support(
    'offSupport1',
    'off-support · 1',
    'student, 1 step: share of samples in 16 x 16 grid cells holding no data (2D); lower is better',
    'student',
    'offSupport',
    1,
  ),
  support(
    'teacherPrec',
    'teacher prec (K=100)',
    "the teacher's precision with K = 100 steps: the student can at best copy its errors",
    'teacher',
    'precision',
    null,
    false,
  ),
  support(
    'floorPrec',
    'data floor prec',
    'precision of a second held-out data sample: the best reachable',
    'data',
    'precision',
    0,
    false,
  ),
  {
    key: 'fd1',
    label: 'FD · 1',
    title: 'student Fréchet distance in the dataset classifier features, 1 step (image runs)',
    model: 'student',
    metric: 'fd',
    nfe: 1,
    ranked: true,
    optional: true,
  },
  {
    key: 'fd2',
    label: 'FD · 2',
    title: 'student Fréchet distance in the dataset classifier features, 2 steps (image runs)',
    model: 'student',
    metric: 'fd',
    nfe: 2,
    ranked: true,
    optional: true,
  },
  {
    key: 'teacherFd',
    label: 'teacher FD (K=100)',
    title: "the teacher's Fréchet distance with K = 100 steps, same noise (image runs)",
    model: 'teacher',
    metric: 'fd',
    nfe: null,
    ranked: false,
    optional: true,
  },
  {
    key: 'teacherSwd',
    label: 'teacher SWD (K=100)',
    title: "the teacher's sliced Wasserstein with K = 100 steps, same noise",
    model: 'teacher',
    metric: 'swd',
    nfe: null,
    ranked: false,
  },
  {
    key: 'floorSwd',
    label: 'data floor SWD',
    title: 'sliced Wasserstein between two held-out data samples: the best reachable',
    model: 'data',
    metric: 'swd',
    nfe: 0,
    ranked: false,
  },
  {
    key: 'agreement',
    label: 'agreement',
    title: "mean distance between the student's one-step sample and the teacher's K = 100 solution from the same noise",
    model: 'student',
    metric: 'agreement',
    nfe: 1,
    ranked: true,
  },
  {
    key: 'ms1',
    label: 'ms/sample · 1',
    title: 'student milliseconds per sample, 1 step',
    model: 'student',
    metric: 'msPerSample',
    nfe: 1,
    ranked: true,
  },
  {
    key: 'teacherMs',
    label: 'teacher ms/sample',
    title: 'teacher milliseconds per sample, K = 100',
    model: 'teacher',
    metric: 'msPerSample',
    nfe: null,
    ranked: false,
  },
]

/** Indices of the columns to show: every column, except optional ones no row has a value in. */
export function visibleColumns(rows: readonly MetricRow[]): number[] {
  return METRIC_COLUMNS.flatMap((col, c) =>
    !col.optional || rows.some((r) => r.values[c] !== null && r.values[c] !== undefined) ? [c] : [],
  )
}

export interface MetricRow {
  runId: string
  /** The evaluated step, or null for a run without evaluations. */
  step: number | null
  values: Array<number | null>
}

export function metricRows(
  runIds: readonly string[],
  evaluations: Readonly<Record<string, readonly EvaluationRecord[]>>,
): MetricRow[] {
  return runIds.map((runId) => {
    const final = finalEvaluations(evaluations[runId] ?? [])
    return {
      runId,
      step: final[0]?.step ?? null,
      values: METRIC_COLUMNS.map((c) => evalValue(final, c.metric, c.model, c.nfe ?? undefined)),
    }
  })
}

/** The compared runs with Fréchet figures from too few samples (config.evalSamples), with the caveat to show. */
export function frechetCaveats(
  rows: readonly MetricRow[],
  runs: readonly Run[],
): Array<{ runId: string; caveat: string }> {
  const fdColumns = METRIC_COLUMNS.flatMap((c, i) => (c.metric === 'fd' ? [i] : []))
  return rows.flatMap((row) => {
    if (!fdColumns.some((i) => row.values[i] !== null && row.values[i] !== undefined)) return []
    const config = runs.find((r) => r.id === row.runId)?.config as { evalSamples?: unknown } | null | undefined
    const caveat = frechetCaveat(config?.evalSamples)
    return caveat ? [{ runId: row.runId, caveat }] : []
  })
}

/** Per column, the run ids holding the best finite value (lowest, or highest where higherIsBetter); empty for unranked columns. */
export function bestByColumn(rows: readonly MetricRow[]): Array<Set<string>> {
  return METRIC_COLUMNS.map((col, c) => {
    const best = new Set<string>()
    if (!col.ranked) return best
    // Scores are compared as "lower is better": higher-is-better values enter negated.
    const sign = col.higherIsBetter ? -1 : 1
    let min = Infinity
    for (const r of rows) {
      const v = r.values[c]
      if (v === null || v === undefined || !Number.isFinite(v)) continue
      const score = sign * v
      if (score < min) {
        min = score
        best.clear()
      }
      if (score === min) best.add(r.runId)
    }
    // One run alone is not "best" of anything.
    return rows.filter((r) => r.values[c] !== null).length > 1 ? best : new Set<string>()
  })
}

export type SortDir = 'asc' | 'desc'

/** Rows sorted by one column; runs without a value go last either way. */
export function sortRows(rows: readonly MetricRow[], column: number | null, dir: SortDir): MetricRow[] {
  if (column === null) return rows.slice()
  const sign = dir === 'asc' ? 1 : -1
  return rows.slice().sort((a, b) => {
    const x = a.values[column] ?? null
    const y = b.values[column] ?? null
    const xMissing = x === null || Number.isNaN(x)
    const yMissing = y === null || Number.isNaN(y)
    if (xMissing || yMissing) return xMissing === yMissing ? 0 : xMissing ? 1 : -1
    return (x - y) * sign
  })
}
