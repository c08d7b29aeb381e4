/**
 * The runs table's columns: which exist, their labels and widths, and how a cell's value is read from a
 * listed run (config fields, last metrics, timings). Sorting, filtering and formatting (runs-table.ts) all
 * read cells through `cellValue`, so a column means the same thing in each.
 */
import type { LastMetric, RunListItem, RunSummary } from '@shared/store/types'
import { DISTILL_FIELDS, type DistillField } from '@shared/config/distill-fields'
import { isNumericKind, type FieldColumn, type FieldSpec } from '@shared/config/registry'
import { effectiveConfigOf, type ConfigRow } from './run-config-values'

/** A listed run; `config` is there when the list was fetched with `withConfig: true`. */
export type RunRow = RunListItem

/** Metric series the table reads from `lastMetrics` (passed as `metricKeys` to runs.list). */
export const TABLE_METRIC_KEYS = [
  'loss',
  'eval/swd_nfe1',
  'eval/swd_nfe2',
  'swd/nfe1',
  'swd/nfe2',
  'eval/fd_nfe1',
  'eval/agreement_nfe1',
  'eval/prec_nfe1',
  'prec/nfe1',
] as const

/** The run's own columns (before the config fields') and its metric and time columns (after them). */
type RunColumnKey = 'name' | 'id' | 'status' | 'kind'
type MetricColumnKey =
  'lastLoss' | 'quality1' | 'quality2' | 'prec1' | 'fd1' | 'agreement' | 'duration' | 'created' | 'tags'

/** A column: the run's own, a config field with a column in the registry, or a metric or time. */
export type ColumnKey = RunColumnKey | DistillField | MetricColumnKey

export type SortDir = 'asc' | 'desc'

export interface Column {
  key: ColumnKey
  label: string
  /** Longer description: the header's tooltip. */
  title: string
  numeric: boolean
  /** Direction of the first click on the header. */
  firstDir: SortDir
  /** Width in the table (CSS length); rows keep one fixed height, so cells never wrap. */
  width: string
  /** A config field's column: how its cell reads (see FieldColumn). */
  format?: NonNullable<FieldColumn['format']>
}

const col = (
  key: ColumnKey,
  label: string,
  title: string,
  numeric: boolean,
  width: string,
  firstDir: SortDir = 'asc',
): Column => ({
  key,
  label,
  title,
  numeric,
  firstDir,
  width,
})

/** The config fields' columns, in the registry's order: every field that declares one. */
export function configColumnsOf(specs: readonly FieldSpec[]): Column[] {
  return specs.flatMap((spec) => {
    const c = spec.column
    if (!c) return []
    const label = c.label ?? spec.symbol ?? spec.label
    return [
      { ...col(spec.key as ColumnKey, label, c.title, isNumericKind(spec.kind), c.width), format: c.format ?? 'plain' },
    ]
  })
}

export const CONFIG_COLUMNS: readonly Column[] = configColumnsOf(DISTILL_FIELDS)

export const COLUMNS: readonly Column[] = [
  col(
    'name',
    'Run',
    "The run's name (opens the run): what its settings change, or the name given in Edit",
    false,
    '17rem',
  ),
  col('id', 'Id', 'Run id (a unique prefix of it names the run in the CLI)', false, '15.5rem'),
  col('status', 'Status', 'Run status', false, '6.5rem'),
  col('kind', 'Kind', 'distill or teacher training', false, '5rem'),
  ...CONFIG_COLUMNS,
  col('lastLoss', 'Last loss', 'Last logged training loss', true, '5.5rem'),
  col(
    'quality1',
    'SWD@1',
    'One-step sample quality: sliced Wasserstein to held-out data (final eval, or the live preview in italics); lower is better',
    true,
    '5.5rem',
  ),
  col(
    'quality2',
    'SWD@2',
    'Two-step sample quality (final eval, or the live preview in italics); lower is better',
    true,
    '5.5rem',
  ),
  col(
    'prec1',
    'Prec@1',
    'One-step precision: share of samples inside the k-NN support of held-out data (2D in data space, images in classifier features; final eval, or the 2D live preview); higher is better, the data floor is ~1',
    true,
    '5.5rem',
    'desc',
  ),
  col(
    'fd1',
    'FD@1',
    'Image runs: one-step Fréchet distance to held-out images in the features of the dataset classifier (final eval); lower is better',
    true,
    '5rem',
  ),
  col(
    'agreement',
    'Agree@1',
    "Teacher-student agreement: mean distance between the one-step sample and the teacher's 100-step sample from the same noise (final eval); lower is closer",
    true,
    '5.5rem',
  ),
  col('duration', 'Duration', 'Finished − started, or time running so far', true, '5.5rem'),
  col('created', 'Created', 'When the run was created', true, '10.5rem', 'desc'),
  col('tags', 'Tags', 'Tags', false, '10rem'),
]

// Keyed by every column; a ColumnKey only ever comes from COLUMNS, so a config field without a column is
// never looked up.
export const COLUMN_BY_KEY: Readonly<Record<ColumnKey, Column>> = Object.fromEntries(
  COLUMNS.map((c) => [c.key, c]),
) as Record<ColumnKey, Column>

// --- reading values ------------------------------------------------------------------------------------

export interface Quality {
  value: number
  step: number
  /** From the final evaluation (`eval/…`); false = the live preview (`swd/…`) while no eval exists yet. */
  final: boolean
}

/** The n-step quality: the final evaluation when logged, else the latest live preview. */
export function qualityOf(row: RunRow, nfe: 1 | 2): Quality | null {
  const pick = (m: LastMetric | undefined, final: boolean): Quality | null =>
    m ? { value: m.value, step: m.step, final } : null
  return pick(row.lastMetrics[`eval/swd_nfe${nfe}`], true) ?? pick(row.lastMetrics[`swd/nfe${nfe}`], false)
}

/** Milliseconds the run trained: finished − started, or now − started while it has not finished. */
export function durationMs(row: RunSummary, now: number): number | null {
  if (row.startedAt === null) return null
  const end = row.finishedAt ?? (row.status === 'running' || row.status === 'paused' ? now : null)
  if (end === null) return null
  return Math.max(0, end - row.startedAt)
}

/** The step a run has reached, from its most recent metric (null before the first one). */
export function currentStep(row: RunRow): number | null {
  let step: number | null = null
  for (const m of Object.values(row.lastMetrics)) if (step === null || m.step > step) step = m.step
  return step
}

export type CellValue = number | string | null

/** The value a column sorts and filters on (null = missing; NaN numbers count as missing when sorting). */
export function cellValue(row: RunRow, key: ColumnKey, now: number): CellValue {
  switch (key) {
    case 'name':
      return row.name ?? row.id
    case 'id':
      return row.id
    case 'status':
      return row.status
    case 'kind':
      return row.kind
    case 'lastLoss':
      return row.lastMetrics.loss?.value ?? null
    case 'quality1':
      return (row.lastMetrics['eval/swd_nfe1'] ?? row.lastMetrics['swd/nfe1'])?.value ?? null
    case 'quality2':
      return (row.lastMetrics['eval/swd_nfe2'] ?? row.lastMetrics['swd/nfe2'])?.value ?? null
    case 'prec1':
      return (row.lastMetrics['eval/prec_nfe1'] ?? row.lastMetrics['prec/nfe1'])?.value ?? null
    case 'fd1':
      return row.lastMetrics['eval/fd_nfe1']?.value ?? null
    case 'agreement':
      return row.lastMetrics['eval/agreement_nfe1']?.value ?? null
    case 'duration':
      return durationMs(row, now)
    case 'created':
      return row.createdAt
    case 'tags':
      return row.tags.length > 0 ? row.tags.join(', ') : null
    // The backend a run really used, once it started, is the run's own record.
    case 'backend':
      return row.backend ?? configCell(row, key)
    default:
      return configCell(row, key)
  }
}

/**
 * A config field's cell: the value the run trains with, so the sort and the range filters agree with the
 * engine (iCT's mu 0 whatever it asked); the asked value is shown beside it (configCellText).
 */
export function configCell(row: ConfigRow, field: string): CellValue {
  const v = effectiveConfigOf(row)?.[field]
  return typeof v === 'number' || typeof v === 'string' ? v : null
}
