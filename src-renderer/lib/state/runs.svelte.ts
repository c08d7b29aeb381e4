/**
 * State of the Runs view: every run of the history (one `runs.list` of up to 10k rows with configs and the
 * table's metrics), the sort, the filters, the selection, and the actions on runs. Live: the runs store's
 * `run` events patch single rows with the store's summary (new runs are fetched in batches), and while
 * anything runs its last metrics are re-read on a slow timer from a list of the running runs only, never
 * the whole history.
 */
import type { ImageDatasetRecord } from '@shared/data/images'
import { indexDatasets } from '@shared/data/dataset-names'
import type { ApiClient, ApiEvent } from '@shared/ipc/api'
import { TERMINAL_STATUSES, type RunSummary } from '@shared/store/types'
import { callOn } from '../api'
import { errorText } from '../error-text'
import {
  DEFAULT_SORT,
  EMPTY_FILTERS,
  TABLE_METRIC_KEYS,
  filterRows,
  nextSort,
  sortRows,
  type ColumnKey,
  type Range,
  type RangeColumn,
  type RunFilters,
  type RunRow,
  type SortSpec,
} from '../runs-table'
import { RunsStore } from './runs-store.svelte'

export { deferredClient } from './runs-store.svelte'

export const RUNS_LIMIT = 10_000

/**
 * The routes this view opens (a subset of the router's Route, so the router's `navigate` fits without this
 * module importing the router and its `window`).
 */
export type RunsRoute =
  { name: 'run'; id: string } | { name: 'new'; from?: string } | { name: 'compare'; ids: string[] }

export interface RunsStateOptions {
  navigate?: (route: RunsRoute) => void
  now?: () => number
  /** Period of the clock and the running runs' metric refresh (ms). */
  pollMs?: number
  /** How long run events of unknown (new) runs are gathered before one fetch (ms). */
  batchMs?: number
  /** The renderer's runs (one subscription, shared with the other views); by default one over `api`. */
  store?: RunsStore
}

const isTerminal = (s: RunSummary['status']) => TERMINAL_STATUSES.includes(s)
const ACTIVE: readonly RunSummary['status'][] = ['queued', 'running', 'paused']

export class RunsState {
  /** Every listed run, newest first as fetched; replaced, never mutated (kept out of deep proxies). */
  rows = $state.raw<RunRow[]>([])
  loading = $state(false)
  loaded = $state(false)
  /** Why the list could not be loaded. */
  loadError = $state<string | null>(null)
  /** The last failed action (tag, notes, delete, …). */
  actionError = $state<string | null>(null)
  /** More runs exist than one list returns. */
  truncated = $state(false)

  sort = $state.raw<SortSpec>(DEFAULT_SORT)
  filters = $state.raw<RunFilters>(EMPTY_FILTERS)
  selected = $state.raw<ReadonlySet<string>>(new Set())
  /** The run whose details (tags, notes, actions) are open. */
  detailsId = $state<string | null>(null)
  /** The clock running durations are shown against. */
  now = $state(0)
  /** The imported image datasets, so `image:<id>` shows by name. */
  datasets = $state.raw<ImageDatasetRecord[]>([])
  readonly datasetIndex = $derived(indexDatasets(this.datasets))

  /** Rows passing the filters (before sorting, so a sort change does not refilter). */
  readonly filtered = $derived(filterRows(this.rows, this.filters, 0))
  /** What the table shows, in order. Only a duration sort depends on the clock. */
  readonly view = $derived(sortRows(this.filtered, this.sort, this.sort.key === 'duration' ? this.now : 0))
  readonly anyActive = $derived(this.rows.some((r) => ACTIVE.includes(r.status)))
  readonly shownSelectedCount = $derived(this.filtered.reduce((n, r) => n + (this.selected.has(r.id) ? 1 : 0), 0))
  readonly details = $derived(this.detailsId === null ? null : (this.rows.find((r) => r.id === this.detailsId) ?? null))

  private readonly navigateTo: (route: RunsRoute) => void
  private readonly clock: () => number
  private readonly pollMs: number
  private readonly batchMs: number
  private readonly store: RunsStore
  private pendingNew = new Set<string>()
  private batchTimer: ReturnType<typeof setTimeout> | null = null
  private polling = false
  /** Runs named by events while a load is in flight (null when no load is). */
  private changedWhileLoading: Set<string> | null = null

  constructor(
    private readonly api: ApiClient,
    options: RunsStateOptions = {},
  ) {
    this.navigateTo = options.navigate ?? (() => {})
    this.clock = options.now ?? Date.now
    this.pollMs = options.pollMs ?? 2000
    this.batchMs = options.batchMs ?? 150
    this.store = options.store ?? new RunsStore(api)
    this.now = this.clock()
  }

  /** Listens to the store's run events and starts the clock / refresh timer; returns the function that stops both. */
  start(): () => void {
    const unsubscribe = this.store.listen((event) => this.onEvent(event))
    const timer = setInterval(() => void this.tick(), this.pollMs)
    return () => {
      unsubscribe()
      clearInterval(timer)
      if (this.batchTimer !== null) clearTimeout(this.batchTimer)
      this.batchTimer = null
    }
  }

  async load(): Promise<void> {
    this.loading = true
    this.loadError = null
    this.changedWhileLoading = new Set()
    // Names only: without them the table shows image:<id>.
    void callOn(this.api, 'datasets.list')
      .then((d) => (this.datasets = d))
      .catch(() => {})
    try {
      const rows = await this.list({ limit: RUNS_LIMIT })
      this.store.put(rows)
      this.rows = rows
      this.truncated = rows.length >= RUNS_LIMIT
      this.now = this.clock()
      this.loaded = true
      this.pruneSelection()
    } catch (error) {
      this.loadError = errorText(error, { field: true })
    } finally {
      this.loading = false
    }
    // The list may have been read before or after these changes: read those runs again rather than guess.
    const changed = [...this.changedWhileLoading]
    this.changedWhileLoading = null
    await Promise.all(changed.map((id) => this.refreshRow(id)))
  }

  /** runs.list with configs and the table's metrics. */
  private list(filter: {
    limit?: number
    status?: RunSummary['status'][]
    text?: string
    createdAfter?: number
  }): Promise<RunRow[]> {
    return callOn(this.api, 'runs.list', { ...filter, metricKeys: [...TABLE_METRIC_KEYS], withConfig: true })
  }

  // --- live updates ---------------------------------------------------------------------------------------

  onEvent(event: ApiEvent): void {
    if (event.type !== 'run') return
    // The store's summary: the one the other views show too.
    const summary = this.store.summary(event.run.id) ?? event.run
    this.changedWhileLoading?.add(summary.id)
    const index = this.rows.findIndex((r) => r.id === summary.id)
    if (index === -1) {
      // A run created elsewhere (form, CLI, sweep): show it now, fetch its config and metrics in a batch.
      this.rows = [{ ...summary, lastMetrics: {} }, ...this.rows]
      this.pendingNew.add(summary.id)
      this.batchTimer ??= setTimeout(() => void this.fetchPending(), this.batchMs)
      return
    }
    const old = this.rows[index] as RunRow
    this.replaceRow(index, { ...old, ...summary, lastMetrics: old.lastMetrics })
    // The final evaluation lands just before the terminal status: read the row's last metrics once more.
    if (isTerminal(summary.status) && !isTerminal(old.status)) void this.refreshRow(summary.id)
  }

  private replaceRow(index: number, row: RunRow): void {
    const next = this.rows.slice()
    next[index] = row
    this.rows = next
  }

  /** An edit answered by the backend (tags, notes): the row and the store's summary both take it. */
  private patchRow(id: string, patch: (row: RunRow) => RunRow): void {
    const index = this.rows.findIndex((r) => r.id === id)
    if (index === -1) return
    const row = patch(this.rows[index] as RunRow)
    this.replaceRow(index, row)
    this.store.put([row])
  }

  /** Merges fetched rows (config, metrics, summary) into the rows with the same ids. */
  private merge(fetched: readonly RunRow[]): void {
    if (fetched.length === 0) return
    this.store.put(fetched)
    const byId = new Map(fetched.map((r) => [r.id, r]))
    let changed = false
    const next = this.rows.map((row) => {
      const f = byId.get(row.id)
      if (!f) return row
      changed = true
      return { ...row, ...f, config: f.config !== undefined ? f.config : row.config }
    })
    if (changed) this.rows = next
  }

  private async fetchPending(): Promise<void> {
    this.batchTimer = null
    const ids = [...this.pendingNew]
    this.pendingNew.clear()
    if (ids.length === 0) return
    const rows = this.rows.filter((r) => ids.includes(r.id))
    if (rows.length === 0) return
    const since = Math.min(...rows.map((r) => r.createdAt)) - 1
    try {
      this.merge(await this.list({ createdAfter: since, limit: RUNS_LIMIT }))
    } catch (error) {
      this.actionError = `Could not read new runs: ${errorText(error, { field: true })}`
    }
  }

  /** Re-reads one run's last metrics (the id filter of runs.list is a substring match, so pick the exact id). */
  async refreshRow(id: string): Promise<void> {
    try {
      this.merge((await this.list({ text: id, limit: 100 })).filter((r) => r.id === id))
    } catch {
      // The next poll or reload shows it; a failed refresh of one row is not worth an alert.
    }
  }

  /**
   * Clock tick: durations move, and the active runs' last metrics are re-read. An active run missing from
   * that list changed status without an event reaching us (a dropped connection): it is read again alone.
   */
  async tick(): Promise<void> {
    this.now = this.clock()
    if (!this.anyActive || this.polling) return
    this.polling = true
    try {
      const active = this.rows.filter((r) => ACTIVE.includes(r.status)).map((r) => r.id)
      const fetched = await this.list({ status: [...ACTIVE], limit: RUNS_LIMIT })
      this.merge(fetched)
      const still = new Set(fetched.map((r) => r.id))
      const left = active.filter((id) => !still.has(id)).slice(0, 20)
      await Promise.all(left.map((id) => this.refreshRow(id)))
    } catch {
      // Transient (a busy database): the next tick tries again.
    } finally {
      this.polling = false
    }
  }

  // --- sort, filters, selection ---------------------------------------------------------------------------

  sortBy(key: ColumnKey): void {
    this.sort = nextSort(this.sort, key)
  }

  setFilters(patch: Partial<Omit<RunFilters, 'ranges'>>): void {
    this.filters = { ...this.filters, ...patch }
  }

  setRange(key: RangeColumn, range: Range): void {
    this.filters = { ...this.filters, ranges: { ...this.filters.ranges, [key]: range } }
  }

  clearFilters(): void {
    this.filters = EMPTY_FILTERS
  }

  isSelected(id: string): boolean {
    return this.selected.has(id)
  }

  setSelected(id: string, on: boolean): void {
    if (this.selected.has(id) === on) return
    const next = new Set(this.selected)
    if (on) next.add(id)
    else next.delete(id)
    this.selected = next
  }

  /** The header checkbox: selects every row the filters show, or clears them when all are selected. */
  toggleAllShown(): void {
    const next = new Set(this.selected)
    const all = this.view.length > 0 && this.shownSelectedCount === this.view.length
    for (const r of this.view) {
      if (all) next.delete(r.id)
      else next.add(r.id)
    }
    this.selected = next
  }

  clearSelection(): void {
    this.selected = new Set()
  }

  private pruneSelection(): void {
    if (this.selected.size === 0) return
    const ids = new Set(this.rows.map((r) => r.id))
    this.selected = new Set([...this.selected].filter((id) => ids.has(id)))
  }

  /** Selected ids in table order (the order Compare colours them), then any hidden by the filters. */
  selectedIds(): string[] {
    const shown = this.view.filter((r) => this.selected.has(r.id)).map((r) => r.id)
    const inView = new Set(shown)
    return [...shown, ...[...this.selected].filter((id) => !inView.has(id))]
  }

  // --- navigation -----------------------------------------------------------------------------------------

  compare(): void {
    const ids = this.selectedIds()
    if (ids.length > 0) this.navigateTo({ name: 'compare', ids })
  }

  open(id: string): void {
    this.navigateTo({ name: 'run', id })
  }

  branch(id: string): void {
    this.navigateTo({ name: 'new', from: id })
  }

  newRun(): void {
    this.navigateTo({ name: 'new' })
  }

  showDetails(id: string | null): void {
    this.detailsId = id
    this.actionError = null
  }

  // --- edits ----------------------------------------------------------------------------------------------

  private async act<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    this.actionError = null
    try {
      return await fn()
    } catch (error) {
      this.actionError = `${what}: ${errorText(error, { field: true })}`
      return undefined
    }
  }

  /** Adds tags (comma-separated input already split); returns whether it worked. */
  async addTags(id: string, tags: string[]): Promise<boolean> {
    const clean = [...new Set(tags.map((t) => t.trim()).filter(Boolean))]
    if (clean.length === 0) return false
    const result = await this.act('Could not add the tag', () => callOn(this.api, 'runs.tag', { id, tags: clean }))
    if (!result) return false
    this.patchRow(id, (row) => ({ ...row, tags: result.tags }))
    return true
  }

  async removeTag(id: string, tag: string): Promise<boolean> {
    const result = await this.act('Could not remove the tag', () => callOn(this.api, 'runs.untag', { id, tags: [tag] }))
    if (!result) return false
    this.patchRow(id, (row) => ({ ...row, tags: result.tags }))
    return true
  }

  async saveNotes(id: string, notes: string): Promise<boolean> {
    const run = await this.act('Could not save the notes', () => callOn(this.api, 'runs.annotate', { id, notes }))
    if (!run) return false
    this.patchRow(id, (row) => ({ ...row, notes: run.notes }))
    return true
  }

  /** Names the run ('' = back to the name derived from its settings); returns whether it worked. */
  async rename(id: string, name: string): Promise<boolean> {
    const run = await this.act('Could not rename the run', () => callOn(this.api, 'runs.rename', { id, name }))
    if (!run) return false
    this.patchRow(id, (row) => ({ ...row, name: run.name }))
    return true
  }

  /** Deletes runs one by one (the service refuses running ones); returns the ids deleted. */
  async deleteRuns(ids: readonly string[]): Promise<string[]> {
    this.actionError = null
    const deleted: string[] = []
    const failures: string[] = []
    for (const id of ids) {
      try {
        await callOn(this.api, 'runs.delete', { id })
        deleted.push(id)
      } catch (error) {
        failures.push(`${id}: ${errorText(error, { field: true })}`)
      }
    }
    if (deleted.length > 0) {
      const gone = new Set(deleted)
      this.store.drop(gone)
      this.rows = this.rows.filter((r) => !gone.has(r.id))
      this.selected = new Set([...this.selected].filter((id) => !gone.has(id)))
      if (this.detailsId !== null && gone.has(this.detailsId)) this.detailsId = null
    }
    if (failures.length > 0)
      this.actionError = `Could not delete ${failures.length === 1 ? 'run' : `${failures.length} runs`}: ${failures.join('; ')}`
    return deleted
  }
}
