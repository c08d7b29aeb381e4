/**
 * The runs table's column chooser as state: the hidden columns, changed by the user and remembered in
 * localStorage for the next visit (runs-column-choice.ts says which columns and how they are stored).
 */
import { COLUMNS, type ColumnKey } from '../runs-table-columns'
import { DEFAULT_HIDDEN, isAlwaysShown, loadHiddenColumns, saveHiddenColumns } from '../runs-column-choice'

type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem'>

/** The window's localStorage, or null where it is missing or refused (a sandboxed page may throw on access). */
function browserStorage(): ChoiceStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

export class ColumnChoice {
  hidden = $state<ReadonlySet<ColumnKey>>(new Set())
  private readonly storage: ChoiceStorage | null

  constructor(storage: ChoiceStorage | null = browserStorage()) {
    this.storage = storage
    this.hidden = loadHiddenColumns(storage, COLUMNS)
  }

  isHidden(key: ColumnKey): boolean {
    return this.hidden.has(key)
  }

  setShown(key: ColumnKey, shown: boolean): void {
    if (isAlwaysShown(key)) return
    const next = new Set(this.hidden)
    if (shown) next.delete(key)
    else next.add(key)
    this.hidden = next
    saveHiddenColumns(this.storage, next)
  }

  /** Back to the first visit's columns. */
  reset(): void {
    this.hidden = new Set(DEFAULT_HIDDEN)
    saveHiddenColumns(this.storage, this.hidden)
  }
}
