/**
 * The Compare view's run picker, shown when fewer than two runs are given: the runs listed with a one-line
 * summary of their config, a text filter, and the checked ids in list order.
 */
import { datasetLabel, indexDatasets, type DatasetIndex } from '@shared/data/dataset-names'
import type { ApiClient } from '@shared/ipc/api'
import type { RunListItem } from '@shared/store/types'
import { callOn } from '../api'
import { errorText } from '../error-text'

/** The list shown when fewer than two runs are given: pick runs with checkboxes, then compare. */
export class RunPickerState {
  runs = $state.raw<RunListItem[]>([])
  selected = $state.raw<string[]>([])
  filter = $state('')
  loading = $state(false)
  error = $state<string | null>(null)
  /** Imported image datasets, so the list names `image:<id>` (and finds it by name). */
  datasetIndex = $state.raw<DatasetIndex>(new Map())

  readonly visible = $derived(filterRuns(this.runs, this.filter, this.datasetIndex))

  constructor(private readonly api: ApiClient) {}

  async load(preselected: readonly string[] = []): Promise<void> {
    this.loading = true
    this.error = null
    this.selected = [...preselected]
    try {
      this.runs = await callOn(this.api, 'runs.list', { limit: 10_000, withConfig: true })
    } catch (e) {
      this.error = errorText(e)
    } finally {
      this.loading = false
    }
    // Names only: without them the list shows image:<id>.
    try {
      this.datasetIndex = indexDatasets(await callOn(this.api, 'datasets.list'))
    } catch {
      // keep the ids
    }
  }

  toggle(id: string): void {
    this.selected = this.selected.includes(id) ? this.selected.filter((x) => x !== id) : [...this.selected, id]
  }

  /** Selected ids in list order (the colours of the Compare view follow it). */
  get selection(): string[] {
    const chosen = new Set(this.selected)
    return this.runs.filter((r) => chosen.has(r.id)).map((r) => r.id)
  }
}

/** dataset · algorithm · N for the picker (teacher runs: dataset · teacher · T). */
export function configSummary(config: unknown, datasets: DatasetIndex = new Map()): string {
  if (config === null || typeof config !== 'object') return ''
  const c = config as Record<string, unknown>
  const parts = [
    typeof c.dataset === 'string' ? datasetLabel(c.dataset, datasets, false) : c.dataset,
    c.algorithm ?? (c.numSteps !== undefined ? 'teacher' : undefined),
    c.numScales !== undefined
      ? `N=${String(c.numScales)}`
      : c.numSteps !== undefined
        ? `T=${String(c.numSteps)}`
        : undefined,
  ]
  return parts
    .filter((p) => p !== undefined)
    .map(String)
    .join(' · ')
}

export function filterRuns(
  runs: readonly RunListItem[],
  text: string,
  datasets: DatasetIndex = new Map(),
): RunListItem[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return runs.slice()
  return runs.filter((r) => {
    const hay =
      `${r.id} ${r.kind} ${r.status} ${r.tags.join(' ')} ${r.notes} ${configSummary(r.config, datasets)}`.toLowerCase()
    return words.every((w) => hay.includes(w))
  })
}
