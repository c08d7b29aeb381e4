/** #19.9 The runs table's columns: the chooser (remembered), the name column, empty columns left out. */
import { describe, expect, it } from 'vitest'
import {
  COLUMN_CHOICE_STORAGE_KEY,
  DEFAULT_HIDDEN,
  emptyColumns,
  loadHiddenColumns,
  shownColumns,
} from '../../../src-renderer/lib/runs-column-choice'
import { COLUMNS, cellValue } from '../../../src-renderer/lib/runs-table-columns'
import { filterRows, EMPTY_FILTERS } from '../../../src-renderer/lib/runs-table'
import { ColumnChoice } from '../../../src-renderer/lib/state/column-choice.svelte'
import { RunsState } from '../../../src-renderer/lib/state/runs.svelte'
import { FakeFailure } from '../fake-api'
import { fakeApi, makeRow, metric } from './fixtures'

/** A Storage stand-in: what the chooser wrote, readable by the next one. */
function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial))
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    items,
  }
}

const keys = (cols: readonly { key: string }[]) => cols.map((c) => c.key)

describe('#19 runs table columns', () => {
  it('#19 a first visit hides the defaults; the name column is first and never hidden', () => {
    const hidden = loadHiddenColumns(memoryStorage(), COLUMNS)
    expect([...hidden].sort()).toEqual([...DEFAULT_HIDDEN].sort())
    const shown = keys(shownColumns(COLUMNS, hidden, new Set()))
    expect(shown[0]).toBe('name')
    expect(shown).not.toContain('id')
    for (const key of ['status', 'dataset', 'steps', 'quality1', 'agreement', 'duration', 'created', 'tags'])
      expect(shown).toContain(key)
    // The name says the algorithm, N, mu and lr: their columns wait to be asked for.
    for (const key of ['algorithm', 'numScales', 'targetEma', 'lr']) expect(shown).not.toContain(key)
    // Even a stored choice cannot hide the name; unknown keys and garbage are ignored.
    const stored = memoryStorage({ [COLUMN_CHOICE_STORAGE_KEY]: JSON.stringify(['name', 'tags', 'nope', 3]) })
    expect([...loadHiddenColumns(stored, COLUMNS)]).toEqual(['tags'])
    const broken = memoryStorage({ [COLUMN_CHOICE_STORAGE_KEY]: '{not json' })
    expect([...loadHiddenColumns(broken, COLUMNS)].sort()).toEqual([...DEFAULT_HIDDEN].sort())
  })

  it('#19 the choice is remembered: a new chooser on the same storage shows what the last one chose', () => {
    const storage = memoryStorage()
    const first = new ColumnChoice(storage)
    first.setShown('id', true)
    first.setShown('tags', false)
    first.setShown('name', false)
    expect(JSON.parse(storage.items.get(COLUMN_CHOICE_STORAGE_KEY) as string)).not.toContain('id')
    const next = new ColumnChoice(storage)
    expect(next.isHidden('id')).toBe(false)
    expect(next.isHidden('tags')).toBe(true)
    expect(next.isHidden('name')).toBe(false)
    next.reset()
    expect(new ColumnChoice(storage).isHidden('id')).toBe(true)
    expect(new ColumnChoice(storage).isHidden('tags')).toBe(false)
  })

  it('#19 a column empty for every shown run is left out (FD@1 on 2D runs) until one run has a value', () => {
    const twoD = [
      makeRow('a', { lastMetrics: { 'eval/swd_nfe1': metric(0.1), loss: metric(0.5) } }),
      makeRow('b', { lastMetrics: { 'eval/swd_nfe1': metric(Number.NaN) } }),
    ]
    const empty = emptyColumns(twoD, COLUMNS)
    expect(empty.has('fd1')).toBe(true)
    expect(empty.has('agreement')).toBe(true)
    expect(empty.has('tags')).toBe(true)
    expect(empty.has('quality1')).toBe(false)
    expect(empty.has('lastLoss')).toBe(false)
    // Name, id, status, kind and created always say something.
    for (const key of ['name', 'id', 'status', 'kind', 'created'] as const) expect(empty.has(key)).toBe(false)
    expect(keys(shownColumns(COLUMNS, new Set(), empty))).not.toContain('fd1')
    const image = makeRow('c', { lastMetrics: { 'eval/fd_nfe1': metric(12.5) } }, { dataset: 'image:x' })
    expect(emptyColumns([...twoD, image], COLUMNS).has('fd1')).toBe(false)
    // No rows (a filter that matches nothing): nothing is hidden for being empty.
    expect(emptyColumns([], COLUMNS).size).toBe(0)
  })

  it("#19 the name column shows the run's name (the id without one), and the search box finds it", () => {
    const named = makeRow('20261204-180000-7xr1y7dx', { name: 'cd N6 mu0 lr5e-4 ddim' })
    const bare = makeRow('r2')
    expect(cellValue(named, 'name', 0)).toBe('cd N6 mu0 lr5e-4 ddim')
    expect(cellValue(bare, 'name', 0)).toBe('r2')
    expect(filterRows([named, bare], { ...EMPTY_FILTERS, text: 'DDIM' }, 0).map((r) => r.id)).toEqual([named.id])
  })
})

describe('#19 renaming a run in the runs view', () => {
  it('#19 rename sends the name, shows the name the backend answers, and reports a refused one by field', async () => {
    const rows = [makeRow('a', { name: 'cd N18 mu0 lr1e-3' }), makeRow('b')]
    const fake = fakeApi({
      'runs.list': () => rows,
      'runs.rename': (p) => {
        const name = (p as { name: string }).name
        if (name.length > 80)
          throw new FakeFailure({
            code: 'INVALID_PAYLOAD',
            message: 'name must be at most 80 characters',
            field: 'name',
          })
        return { ...rows[0], name: name === '' ? 'cd N18 mu0 lr1e-3' : name }
      },
    })
    const state = new RunsState(fake.api, { navigate: () => {}, now: () => 0, batchMs: 0, pollMs: 60_000 })
    await state.load()
    expect(await state.rename('a', 'baseline')).toBe(true)
    expect(fake.callsOf('runs.rename')).toEqual([{ id: 'a', name: 'baseline' }])
    expect(state.rows.find((r) => r.id === 'a')?.name).toBe('baseline')
    state.setFilters({ text: 'baseline' })
    expect(state.view.map((r) => r.id)).toEqual(['a'])
    expect(await state.rename('a', '')).toBe(true)
    expect(state.rows.find((r) => r.id === 'a')?.name).toBe('cd N18 mu0 lr1e-3')
    expect(await state.rename('a', 'x'.repeat(81))).toBe(false)
    expect(state.actionError).toMatch(/^Could not rename the run: .*name must be at most 80 characters/)
  })
})
