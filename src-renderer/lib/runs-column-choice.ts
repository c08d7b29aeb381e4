/**
 * Which columns the runs table shows (#19): every column is ~2000 px at 1440 px wide, so the user picks
 * (remembered in localStorage), a first visit shows the ones that tell runs apart, and a column empty for
 * every shown run (FD@1 on 2D runs, SWD on teacher trainings) is left out until some run has a value.
 */
import { cellValue, type Column, type ColumnKey, type RunRow } from './runs-table-columns'

/** The run's name: what a row is; it never hides. */
export const ALWAYS_SHOWN: readonly ColumnKey[] = ['name']

/**
 * Hidden until the user shows them, so the name reads in full and the quality, time and tag columns fit at
 * 1440 px: the id (in the name's tooltip and the details), the algorithm, N, mu and lr (every distillation's
 * name says them), and settings most runs share.
 */
export const DEFAULT_HIDDEN: readonly ColumnKey[] = [
  'id',
  'kind',
  'algorithm',
  'numScales',
  'targetEma',
  'lr',
  'solver',
  'loss',
  'backend',
  'quality2',
]

/** Columns that say something even when empty (a run without tags says "no tags"). */
const NEVER_EMPTY: readonly ColumnKey[] = ['name', 'id', 'status', 'kind', 'created']

export const COLUMN_CHOICE_STORAGE_KEY = 'clab.runs.hiddenColumns'

/** The user's hidden columns from `storage`, else the defaults; keys of columns that no longer exist drop out. */
export function loadHiddenColumns(
  storage: Pick<Storage, 'getItem'> | null,
  columns: readonly Column[],
): Set<ColumnKey> {
  const known = new Set(columns.map((c) => c.key))
  let stored: unknown
  try {
    const text = storage?.getItem(COLUMN_CHOICE_STORAGE_KEY)
    stored = text ? (JSON.parse(text) as unknown) : null
  } catch {
    // Unreadable (private mode, a hand-edited value): the defaults.
    stored = null
  }
  const keys = Array.isArray(stored) ? stored : DEFAULT_HIDDEN
  return new Set(
    keys.filter((k): k is ColumnKey => typeof k === 'string' && known.has(k as ColumnKey) && !isAlwaysShown(k)),
  )
}

export function saveHiddenColumns(storage: Pick<Storage, 'setItem'> | null, hidden: ReadonlySet<ColumnKey>): void {
  try {
    storage?.setItem(COLUMN_CHOICE_STORAGE_KEY, JSON.stringify([...hidden]))
  } catch {
    // A full or refused storage only loses the choice for the next visit.
  }
}

export function isAlwaysShown(key: string): boolean {
  return (ALWAYS_SHOWN as readonly string[]).includes(key)
}

const isEmpty = (v: ReturnType<typeof cellValue>) => v === null || (typeof v === 'number' && Number.isNaN(v))

/**
 * Columns without a value in any of `rows` (none while there are no rows: an empty list hides nothing).
 * Durations are read at time 0: a running run has one whatever the clock says, and the set does not change
 * every second.
 */
export function emptyColumns(rows: readonly RunRow[], columns: readonly Column[]): Set<ColumnKey> {
  const empty = new Set<ColumnKey>()
  if (rows.length === 0) return empty
  for (const c of columns) {
    if ((NEVER_EMPTY as readonly string[]).includes(c.key)) continue
    if (rows.every((row) => isEmpty(cellValue(row, c.key, 0)))) empty.add(c.key)
  }
  return empty
}

/** The columns shown, in table order: not hidden by the user and not empty for every shown run. */
export function shownColumns(
  columns: readonly Column[],
  hidden: ReadonlySet<ColumnKey>,
  empty: ReadonlySet<ColumnKey>,
): Column[] {
  return columns.filter((c) => isAlwaysShown(c.key) || (!hidden.has(c.key) && !empty.has(c.key)))
}
