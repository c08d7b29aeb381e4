/**
 * The runs table's columns: which exist, their labels and widths, and how a cell's value is read from a
 * listed run (config fields, last metrics, timings). Sorting, filtering and formatting (runs-table.ts) all
 * read cells through `cellValue`, so a column means the same thing in each.
 */
import type { LastMetric, RunListItem, RunSummary } from '@shared/store/types'
import { configNumber, configString, effectiveNumber } from './run-config-values'

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
] as const

export type ColumnKey =
  | 'id'
  | 'status'
  | 'kind'
  | 'dataset'
  | 'algorithm'
  | 'numScales'
  | 'targetEma'
  | 'loss'
  | 'solver'
  | 'lr'
  | 'steps'
  | 'backend'
  | 'lastLoss'
  | 'quality1'
  | 'quality2'
  | 'fd1'
  | 'agreement'
  | 'duration'
  | 'created'
  | 'tags'

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

export const COLUMNS: readonly Column[] = [
  col('id', 'Run', 'Run id (opens the run)', false, '15.5rem'),
  col('status', 'Status', 'Run status', false, '6.5rem'),
  col('kind', 'Kind', 'distill or teacher training', false, '5rem'),
  col('dataset', 'Dataset', 'Training data', false, '7.5rem'),
  col('algorithm', 'Algorithm', 'cd, tutorial, ct or ict', false, '6rem'),
  col('numScales', 'N', 'N: discretisation levels (config.numScales)', true, '3.5rem'),
  col(
    'targetEma',
    'μ',
    'Target EMA decay mu the run trains with (iCT: 0 whatever it asked; the asked config.targetEma in brackets where it differs)',
    true,
    '7rem',
  ),
  col('loss', 'Loss', 'Loss function (config.loss)', false, '4rem'),
  col('solver', 'Solver', 'Teacher ODE solver (config.solver)', false, '4rem'),
  col('lr', 'LR', 'Learning rate (config.lr)', true, '4.5rem'),
  col('steps', 'Steps', 'Training steps (current / planned while running)', true, '7.5rem'),
  col('backend', 'Backend', 'Compute backend used (or requested)', false, '5.5rem'),
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
    case 'id':
      return row.id
    case 'status':
      return row.status
    case 'kind':
      return row.kind
    case 'dataset':
      return configString(row, 'dataset')
    case 'algorithm':
      return configString(row, 'algorithm')
    case 'numScales':
      return configNumber(row, 'numScales')
    case 'targetEma':
      // What the run trains with, so the sort and the range filter agree with the engine.
      return effectiveNumber(row, 'targetEma')
    case 'loss':
      return configString(row, 'loss')
    case 'solver':
      return configString(row, 'solver')
    case 'lr':
      return configNumber(row, 'lr')
    case 'steps':
      return configNumber(row, 'steps')
    case 'backend':
      return row.backend ?? configString(row, 'backend')
    case 'lastLoss':
      return row.lastMetrics.loss?.value ?? null
    case 'quality1':
      return (row.lastMetrics['eval/swd_nfe1'] ?? row.lastMetrics['swd/nfe1'])?.value ?? null
    case 'quality2':
      return (row.lastMetrics['eval/swd_nfe2'] ?? row.lastMetrics['swd/nfe2'])?.value ?? null
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
  }
}
