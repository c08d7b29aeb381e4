/**
 * The runs table as pure functions: sorting, the text + per-column filters, formatting, and the window of
 * rows to render (the columns and how a cell is read: runs-table-columns.ts). Kept free of Svelte and the DOM
 * so 10k-row behaviour is unit-tested directly.
 */
import { durationText } from '@shared/duration-text'
import { shownStatus, type ShownStatus } from '@shared/store/shown-status'
import type { RunKind } from '@shared/store/types'
import {
  COLUMN_BY_KEY,
  CONFIG_COLUMNS,
  cellValue,
  currentStep,
  durationMs,
  type CellValue,
  type Column,
  type ColumnKey,
  type RunRow,
  type SortDir,
} from './runs-table-columns'
import { configString, withAsked } from './run-config-values'

export { configNumber, configString } from './run-config-values'
export * from './runs-table-columns'

// --- sorting ---------------------------------------------------------------------------------------------

export interface SortSpec {
  key: ColumnKey
  dir: SortDir
}

export const DEFAULT_SORT: SortSpec = { key: 'created', dir: 'desc' }

const isMissing = (v: CellValue): boolean => v === null || (typeof v === 'number' && Number.isNaN(v))

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/**
 * Rows sorted by one column. Missing values (no config field, no metric, NaN) go last in both directions,
 * so "best first" never starts with a wall of blanks; ties keep newest-first order, so the result is
 * deterministic. Returns a new array.
 */
export function sortRows(rows: readonly RunRow[], sort: SortSpec, now: number): RunRow[] {
  const n = rows.length
  const sign = sort.dir === 'asc' ? 1 : -1
  // Decorate once into flat arrays and sort indices: reading config fields or allocating inside the
  // comparator would cost O(n log n) lookups, which is what made 10k rows slow.
  const created = new Float64Array(n)
  const order = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    created[i] = (rows[i] as RunRow).createdAt
    order[i] = i
  }
  const tie = (a: number, b: number): number => {
    const d = (created[b] as number) - (created[a] as number)
    if (d !== 0) return d
    const ia = (rows[a] as RunRow).id
    const ib = (rows[b] as RunRow).id
    return ia < ib ? 1 : ia > ib ? -1 : 0
  }
  if (COLUMN_BY_KEY[sort.key].numeric) {
    // NaN marks a missing value (null, NaN, or a non-number).
    const values = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const v = cellValue(rows[i] as RunRow, sort.key, now)
      values[i] = typeof v === 'number' ? v : Number.NaN
    }
    order.sort((a, b) => {
      const va = values[a] as number
      const vb = values[b] as number
      const am = va !== va
      const bm = vb !== vb
      if (am || bm) return am && bm ? tie(a, b) : am ? 1 : -1
      return va !== vb ? sign * (va - vb) : tie(a, b)
    })
  } else {
    const values = new Array<string | null>(n)
    for (let i = 0; i < n; i++) {
      const v = cellValue(rows[i] as RunRow, sort.key, now)
      values[i] = isMissing(v) ? null : String(v)
    }
    order.sort((a, b) => {
      const va = values[a] as string | null
      const vb = values[b] as string | null
      if (va === null || vb === null) return va === null && vb === null ? tie(a, b) : va === null ? 1 : -1
      const c = va === vb ? 0 : collator.compare(va, vb)
      return c !== 0 ? sign * c : tie(a, b)
    })
  }
  const out = new Array<RunRow>(n)
  for (let i = 0; i < n; i++) out[i] = rows[order[i] as number] as RunRow
  return out
}

/** The sort after activating a column's header: same column flips, a new one starts at its first direction. */
export function nextSort(current: SortSpec, key: ColumnKey): SortSpec {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' }
  return { key, dir: COLUMN_BY_KEY[key].firstDir }
}

export function ariaSort(sort: SortSpec, key: ColumnKey): 'ascending' | 'descending' | 'none' {
  if (sort.key !== key) return 'none'
  return sort.dir === 'asc' ? 'ascending' : 'descending'
}

// --- filtering -------------------------------------------------------------------------------------------

/** Columns with a min/max filter: every numeric config column (the registry's), then the sample quality. */
export const RANGE_COLUMNS: readonly ColumnKey[] = [
  ...CONFIG_COLUMNS.filter((c) => c.numeric).map((c) => c.key),
  'quality1',
  'quality2',
]
export type RangeColumn = ColumnKey

export interface Range {
  min: number | null
  max: number | null
}

export interface RunFilters {
  /** Whitespace-separated words, each must match the id, a tag, the notes, the dataset or the algorithm. */
  text: string
  /** The shown status (a finished run with a verdict shows it: `diverged`). */
  status: ShownStatus | ''
  kind: RunKind | ''
  dataset: string
  algorithm: string
  ranges: Partial<Record<RangeColumn, Range>>
}

export const EMPTY_FILTERS: RunFilters = { text: '', status: '', kind: '', dataset: '', algorithm: '', ranges: {} }

export function isRangeActive(r: Range | undefined): r is Range {
  return r !== undefined && (r.min !== null || r.max !== null)
}

export function filtersActive(f: RunFilters): boolean {
  return (
    f.text.trim() !== '' ||
    f.status !== '' ||
    f.kind !== '' ||
    f.dataset !== '' ||
    f.algorithm !== '' ||
    RANGE_COLUMNS.some((k) => isRangeActive(f.ranges[k]))
  )
}

const haystacks = new WeakMap<RunRow, string>()

/** What the text box searches in a row, lower-cased; cached per row object (rows are replaced, never mutated). */
function haystack(row: RunRow): string {
  let h = haystacks.get(row)
  if (h === undefined) {
    h = [
      row.id,
      row.name ?? '',
      row.tags.join(' '),
      row.notes,
      configString(row, 'dataset') ?? '',
      configString(row, 'algorithm') ?? '',
    ]
      .join('\n')
      .toLowerCase()
    haystacks.set(row, h)
  }
  return h
}

/**
 * Rows passing every active filter, order kept. A range excludes rows without a value for that column
 * (a run without an N cannot be "N ≥ 20").
 */
export function filterRows(rows: readonly RunRow[], f: RunFilters, now: number): RunRow[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean)
  const ranges = RANGE_COLUMNS.flatMap((k) => {
    const r = f.ranges[k]
    return isRangeActive(r) ? [[k, r] as const] : []
  })
  if (
    words.length === 0 &&
    f.status === '' &&
    f.kind === '' &&
    f.dataset === '' &&
    f.algorithm === '' &&
    ranges.length === 0
  )
    return rows.slice()
  return rows.filter((row) => {
    if (f.status !== '' && shownStatus(row) !== f.status) return false
    if (f.kind !== '' && row.kind !== f.kind) return false
    if (f.dataset !== '' && configString(row, 'dataset') !== f.dataset) return false
    if (f.algorithm !== '' && configString(row, 'algorithm') !== f.algorithm) return false
    for (const [k, r] of ranges) {
      const v = cellValue(row, k, now)
      if (typeof v !== 'number' || Number.isNaN(v)) return false
      if (r.min !== null && v < r.min) return false
      if (r.max !== null && v > r.max) return false
    }
    if (words.length > 0) {
      const hay = haystack(row)
      if (!words.every((w) => hay.includes(w))) return false
    }
    return true
  })
}

/** A range bound typed by the user: '' = no bound; anything not a finite number is reported, not guessed. */
export function parseBound(text: string): { value: number | null; error: string | null } {
  const t = text.trim()
  if (t === '') return { value: null, error: null }
  const v = Number(t)
  if (!Number.isFinite(v)) return { value: null, error: `"${t}" is not a number` }
  return { value: v, error: null }
}

/** Distinct non-empty values of a config field (for the per-column selects), sorted. */
export function distinctConfigValues(rows: readonly RunRow[], field: string): string[] {
  const seen = new Set<string>()
  for (const row of rows) {
    const v = configString(row, field)
    if (v !== null) seen.add(v)
  }
  return [...seen].sort(collator.compare)
}

// --- formatting ------------------------------------------------------------------------------------------

const DASH = '—'

/** A metric value: 3 significant digits, exponent for very small or large values, NaN/∞ spelled out. */
export function formatMetric(v: number | null | undefined): string {
  if (v === null || v === undefined) return DASH
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞'
  if (v === 0) return '0'
  const a = Math.abs(v)
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2).replace('e+', 'e')
  return String(Number(v.toPrecision(3)))
}

/** A learning rate as people write it: 1e-3, 5e-4, 2.5e-4, 0.1. */
export function formatLr(v: number | null): string {
  if (v === null) return DASH
  if (v === 0 || (Math.abs(v) >= 0.01 && Math.abs(v) < 1000)) return String(Number(v.toPrecision(3)))
  const [mantissa = '', exponent = ''] = v.toExponential().split('e')
  return `${String(Number(Number(mantissa).toPrecision(3)))}e${exponent.replace('+', '')}`
}

/** 12s, 3m 05s, 1h 02m, 2d 03h (@shared/duration-text); a dash without a duration. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return DASH
  return durationText(ms)
}

const pad = (n: number) => String(n).padStart(2, '0')

/** Local date and time to the minute: 2025-03-07 14:05. */
export function formatDateTime(ms: number | null): string {
  if (ms === null) return DASH
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** A cell's text. `now` matters for running durations. */
export function formatCell(row: RunRow, key: ColumnKey, now: number): string {
  const format = COLUMN_BY_KEY[key].format
  if (format) return withAsked(row, key, configCellText(row, key, format, now), (v) => formatConfigValue(v, format))
  switch (key) {
    case 'lastLoss':
    case 'quality1':
    case 'quality2':
    case 'prec1':
    case 'fd1':
    case 'agreement':
      return formatMetric(cellValue(row, key, now) as number | null)
    case 'duration':
      return formatDuration(durationMs(row, now))
    case 'created':
      return formatDateTime(row.createdAt)
    default:
      return formatPlain(cellValue(row, key, now))
  }
}

/** A config column's text: steps done / planned while the run goes on, else the value as its format says. */
function configCellText(row: RunRow, key: ColumnKey, format: NonNullable<Column['format']>, now: number): string {
  const value = cellValue(row, key, now)
  if (format === 'progress' && (row.status === 'running' || row.status === 'paused') && value !== null)
    return `${currentStep(row) ?? 0} / ${value}`
  return formatConfigValue(value, format)
}

function formatConfigValue(value: unknown, format: NonNullable<Column['format']>): string {
  if (format === 'lr') return formatLr(typeof value === 'number' ? value : null)
  return value === null || value === undefined ? DASH : String(value)
}

function formatPlain(v: CellValue): string {
  return v === null ? DASH : String(v)
}

// --- windowing -------------------------------------------------------------------------------------------

export interface RowWindow {
  /** First rendered row (index into the sorted, filtered rows). */
  start: number
  /** One past the last rendered row. */
  end: number
  /** Height of the spacers above and below the rendered slice, in px. */
  padTop: number
  padBottom: number
}

/**
 * The slice of rows to put in the DOM for a scroll position: the rows in view plus `overscan` on each
 * side, with spacers keeping the scroll height of all `total` rows. Rows have one fixed height.
 */
export function rowWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): RowWindow {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 }
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight)
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1
  const start = Math.min(total, Math.max(0, first - overscan))
  const end = Math.min(total, first + visible + overscan)
  return { start, end, padTop: start * rowHeight, padBottom: (total - end) * rowHeight }
}
