import { describe, expect, it, vi } from 'vitest'
import type { RunSummary } from '@shared/store/types'
import { RunsState, deferredClient, type RunsRoute } from '../../../src-renderer/lib/state/runs.svelte'
import { TABLE_METRIC_KEYS, durationMs, type RunRow } from '../../../src-renderer/lib/runs-table'
import { fakeApi, makeRow, metric } from './fixtures'

const summaryOf = (row: RunRow, patch: Partial<RunSummary> = {}): RunSummary => {
  const { lastMetrics: _m, config: _c, ...summary } = row
  return { ...summary, ...patch }
}

function setup(rows: RunRow[], extra: Parameters<typeof fakeApi>[0] = {}) {
  const fake = fakeApi({ 'runs.list': () => rows, ...extra })
  const routes: RunsRoute[] = []
  let clock = 100_000
  const state = new RunsState(fake.api, {
    navigate: (r) => routes.push(r),
    now: () => clock,
    batchMs: 0,
    pollMs: 60_000,
  })
  return { state, fake, routes, setClock: (t: number) => (clock = t) }
}

const ROWS = [
  makeRow('a', { createdAt: 3, tags: ['base'] }, { dataset: 'moons', numScales: 18 }),
  makeRow(
    'b',
    { createdAt: 2, status: 'running', finishedAt: null, lastMetrics: { loss: metric(0.5, 10) } },
    { dataset: 'rings', numScales: 40 },
  ),
  makeRow('c', { createdAt: 1 }, { dataset: 'rings', numScales: 10 }),
]

describe('RunsState: loading', () => {
  it('lists up to 10k runs with their configs and the metrics the table shows, newest first', async () => {
    const { state, fake } = setup(ROWS)
    await state.load()
    expect(fake.callsOf('runs.list')).toEqual([{ limit: 10_000, withConfig: true, metricKeys: [...TABLE_METRIC_KEYS] }])
    expect(state.loaded).toBe(true)
    expect(state.view.map((r) => r.id)).toEqual(['a', 'b', 'c'])
    expect(state.loadError).toBeNull()
  })

  it('shows other errors inline instead of an empty table', async () => {
    const { state } = setup([], {
      'runs.list': () => {
        throw { code: 'DATABASE_BUSY', message: 'the database is busy' }
      },
    })
    await state.load()
    expect(state.loadError).toBe('the database is busy')
    expect(state.loaded).toBe(false)
  })

  it('reports a backend it cannot reach through the deferred client', async () => {
    const state = new RunsState(deferredClient(() => Promise.reject(new Error('cannot reach the backend'))))
    const stop = state.start()
    await state.load()
    expect(state.loadError).toMatch(/cannot reach the backend/)
    stop()
  })
})

describe('RunsState: sort, filter, select', () => {
  it('sorts by a header and filters by text and column', async () => {
    const { state } = setup(ROWS)
    await state.load()
    state.sortBy('numScales')
    expect(state.view.map((r) => r.id)).toEqual(['c', 'a', 'b'])
    state.sortBy('numScales')
    expect(state.view.map((r) => r.id)).toEqual(['b', 'a', 'c'])
    state.setFilters({ dataset: 'rings' })
    expect(state.view.map((r) => r.id)).toEqual(['b', 'c'])
    state.setFilters({ text: 'BASE', dataset: '' })
    expect(state.view.map((r) => r.id)).toEqual(['a'])
    state.setRange('numScales', { min: 11, max: null })
    expect(state.view.map((r) => r.id)).toEqual(['a'])
    state.clearFilters()
    expect(state.view).toHaveLength(3)
  })

  it('selects single runs and all filtered runs, and compares them in table order', async () => {
    const { state, routes } = setup(ROWS)
    await state.load()
    state.setSelected('c', true)
    state.setSelected('a', true)
    expect(state.selected.size).toBe(2)
    state.compare()
    expect(routes).toEqual([{ name: 'compare', ids: ['a', 'c'] }])

    state.clearSelection()
    state.setFilters({ dataset: 'rings' })
    state.toggleAllShown()
    expect([...state.selected].sort()).toEqual(['b', 'c'])
    expect(state.shownSelectedCount).toBe(2)
    // All shown are selected: the header checkbox now clears them, leaving others alone.
    state.setSelected('a', true)
    state.toggleAllShown()
    expect([...state.selected]).toEqual(['a'])
  })

  it('navigates to a run, a branch of it, and a new run', async () => {
    const { state, routes } = setup(ROWS)
    state.open('a')
    state.branch('b')
    state.newRun()
    expect(routes).toEqual([{ name: 'run', id: 'a' }, { name: 'new', from: 'b' }, { name: 'new' }])
  })
})

describe('RunsState: live updates', () => {
  it('patches the row of a run event, keeping its config and metrics, without refetching the list', async () => {
    const { state, fake } = setup(ROWS)
    const stop = state.start()
    await state.load()
    const before = state.rows.find((r) => r.id === 'b') as RunRow
    fake.emit({ type: 'run', run: summaryOf(before, { status: 'paused', backend: 'node' }) })
    const after = state.rows.find((r) => r.id === 'b') as RunRow
    expect(after.status).toBe('paused')
    expect(after.backend).toBe('node')
    expect(after.lastMetrics).toEqual(before.lastMetrics)
    expect(after.config).toEqual(before.config)
    expect(fake.callsOf('runs.list')).toHaveLength(1)
    stop()
    expect(fake.listenerCount()).toBe(0)
  })

  it('re-reads the last metrics of a run that just finished (its final evaluation)', async () => {
    const finalRow = makeRow(
      'b',
      { lastMetrics: { 'eval/swd_nfe1': metric(0.08, 3000) } },
      { dataset: 'rings', numScales: 40 },
    )
    const { state, fake } = setup(ROWS, {
      'runs.list': (p) => ((p as { text?: string }).text === 'b' ? [finalRow, makeRow('bb')] : ROWS),
    })
    state.start()
    await state.load()
    const b = state.rows.find((r) => r.id === 'b') as RunRow
    fake.emit({ type: 'run', run: summaryOf(b, { status: 'finished', finishedAt: 200_000 }) })
    await vi.waitFor(() => expect(state.rows.find((r) => r.id === 'b')?.lastMetrics['eval/swd_nfe1']?.value).toBe(0.08))
    expect(state.rows.map((r) => r.id)).toEqual(['a', 'b', 'c'])
    expect(state.view.find((r) => r.id === 'b')?.status).toBe('finished')
  })

  it('adds a new run at once and fills in its config in one batched list', async () => {
    const fresh = makeRow(
      'new1',
      { createdAt: 50, status: 'queued', startedAt: null, finishedAt: null },
      { numScales: 77 },
    )
    const { state, fake } = setup(ROWS, {
      'runs.list': (p) => ((p as { createdAfter?: number }).createdAfter !== undefined ? [fresh] : ROWS),
    })
    state.start()
    await state.load()
    fake.emit({ type: 'run', run: summaryOf(fresh) })
    expect(state.rows[0]?.id).toBe('new1')
    expect(state.view[0]?.id).toBe('new1')
    await vi.waitFor(() => expect((state.rows[0]?.config as { numScales?: number } | undefined)?.numScales).toBe(77))
    const batched = fake.callsOf('runs.list').slice(1)
    expect(batched).toEqual([expect.objectContaining({ createdAfter: 49, withConfig: true })])
  })

  it('polls only the running runs on the timer, and not at all when nothing runs', async () => {
    const { state, fake, setClock } = setup(ROWS, {
      'runs.list': (p) =>
        (p as { status?: string[] }).status
          ? [
              makeRow(
                'b',
                { status: 'running', finishedAt: null, lastMetrics: { loss: metric(0.2, 900) } },
                { dataset: 'rings', numScales: 40 },
              ),
            ]
          : ROWS,
    })
    await state.load()
    setClock(130_000)
    await state.tick()
    expect(state.now).toBe(130_000)
    expect(fake.callsOf('runs.list')[1]).toEqual(expect.objectContaining({ status: ['queued', 'running', 'paused'] }))
    expect(state.rows.find((r) => r.id === 'b')?.lastMetrics.loss).toEqual(metric(0.2, 900))
    // The running run's duration follows the clock.
    expect(durationMs(state.rows.find((r) => r.id === 'b') as RunRow, state.now)).toBe(129_000)

    const idle = setup([makeRow('x')])
    await idle.state.load()
    await idle.state.tick()
    expect(idle.fake.callsOf('runs.list')).toHaveLength(1)
  })
})

describe('RunsState: missed and racing events', () => {
  it('re-reads an active run that left the active list without an event (it failed unseen)', async () => {
    const failed = makeRow('q', { status: 'failed', error: 'ScheduleError' })
    const { state, fake } = setup([], {
      'runs.list': (p) => {
        const f = p as { status?: string[]; text?: string }
        if (f.status) return []
        if (f.text === 'q') return [failed]
        return [makeRow('q', { status: 'queued', startedAt: null, finishedAt: null })]
      },
    })
    await state.load()
    await state.tick()
    expect(fake.callsOf('runs.list').at(-1)).toEqual(expect.objectContaining({ text: 'q' }))
    expect(state.rows[0]?.status).toBe('failed')
    expect(state.rows[0]?.error).toBe('ScheduleError')
  })

  it('does not let a list read before an event overwrite what the event said', async () => {
    let release: (rows: RunRow[]) => void = () => {}
    const stale = [makeRow('q', { status: 'queued', startedAt: null, finishedAt: null })]
    const { state, fake } = setup([], {
      'runs.list': (p) =>
        (p as { text?: string }).text === 'q'
          ? [makeRow('q', { status: 'failed' })]
          : new Promise<RunRow[]>((r) => (release = r)),
    })
    state.start()
    const loading = state.load()
    await vi.waitFor(() => expect(fake.callsOf('runs.list')).toHaveLength(1))
    fake.emit({ type: 'run', run: summaryOf(stale[0] as RunRow, { status: 'failed' }) })
    release(stale)
    await loading
    expect(state.rows.map((r) => [r.id, r.status])).toEqual([['q', 'failed']])
  })
})

describe('RunsState: edits', () => {
  it('deletes through the API and drops the row, its selection and its open details', async () => {
    const { state, fake } = setup(ROWS, { 'runs.delete': (p) => p })
    await state.load()
    state.setSelected('a', true)
    state.showDetails('a')
    expect(state.details?.id).toBe('a')
    expect(await state.deleteRuns(['a'])).toEqual(['a'])
    expect(fake.callsOf('runs.delete')).toEqual([{ id: 'a' }])
    expect(state.rows.map((r) => r.id)).toEqual(['b', 'c'])
    expect(state.selected.size).toBe(0)
    expect(state.details).toBeNull()
  })

  it('keeps runs the backend refused to delete and says why', async () => {
    const { state } = setup(ROWS, {
      'runs.delete': (p) => {
        if ((p as { id: string }).id === 'b') throw { code: 'RUN_STATE', message: 'run b is running; cancel it first' }
        return p
      },
    })
    await state.load()
    expect(await state.deleteRuns(['b', 'c'])).toEqual(['c'])
    expect(state.rows.map((r) => r.id)).toEqual(['a', 'b'])
    expect(state.actionError).toMatch(/b: run b is running; cancel it first/)
  })

  it('adds and removes tags and saves notes with the values the backend returns', async () => {
    const { state, fake } = setup(ROWS, {
      'runs.tag': (p) => ({ id: 'a', tags: ['base', ...(p as { tags: string[] }).tags].sort() }),
      'runs.untag': () => ({ id: 'a', tags: [] }),
      'runs.annotate': (p) => ({ ...ROWS[0], notes: (p as { notes: string }).notes }),
    })
    await state.load()
    expect(await state.addTags('a', [' good ', 'good', ''])).toBe(true)
    expect(fake.callsOf('runs.tag')).toEqual([{ id: 'a', tags: ['good'] }])
    expect(state.rows[0]?.tags).toEqual(['base', 'good'])
    expect(await state.removeTag('a', 'base')).toBe(true)
    expect(fake.callsOf('runs.untag')).toEqual([{ id: 'a', tags: ['base'] }])
    expect(state.rows[0]?.tags).toEqual([])
    expect(await state.saveNotes('a', 'heun beats ddim')).toBe(true)
    expect(state.rows[0]?.notes).toBe('heun beats ddim')
    state.setFilters({ text: 'ddim' })
    expect(state.view.map((r) => r.id)).toEqual(['a'])
  })

  it('reports a refused tag and leaves the row unchanged', async () => {
    const { state } = setup(ROWS, {
      'runs.tag': () => {
        throw { code: 'INVALID_PAYLOAD', message: 'a tag is at most 100 characters', field: 'tags.0' }
      },
    })
    await state.load()
    expect(await state.addTags('a', ['x'.repeat(101)])).toBe(false)
    expect(state.actionError).toBe('Could not add the tag: a tag is at most 100 characters')
    expect(state.rows[0]?.tags).toEqual(['base'])
  })
})
