import { describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import type { Run, RunSummary } from '@shared/store/types'
import { CompareState } from '../../../src-renderer/lib/state/compare.svelte'
import { LiveRunState } from '../../../src-renderer/lib/state/live-run.svelte'
import { RunsStore, summaryOf } from '../../../src-renderer/lib/state/runs-store.svelte'
import { RunsState } from '../../../src-renderer/lib/state/runs.svelte'
import { fakeApi, makeRun, settle } from '../fake-api'
import { makeRow } from './fixtures'

const config = { ...DISTILL_DEFAULTS, steps: 3000 }

function backend() {
  const runs: Record<string, Run> = {
    r1: makeRun({ id: 'r1', status: 'running', finishedAt: null, config }),
    r2: makeRun({ id: 'r2', status: 'finished', config }),
  }
  const api = fakeApi({
    'runs.list': () => Object.values(runs).map((r) => makeRow(r.id, summaryOf(r), config)),
    'runs.get': (p) => runs[(p as { id: string }).id],
    'runs.annotate': (p) => {
      const { id, notes } = p as { id: string; notes: string }
      runs[id] = { ...(runs[id] as Run), notes }
      return runs[id]
    },
    'datasets.list': () => [],
    'metrics.downsampled': () => [],
    'metrics.list': () => [],
    'samples.list': () => [],
    'runs.evaluations': () => [],
  })
  return { api, runs }
}

describe('RunsStore: the renderer runs in one store', () => {
  it('#16.5 the Runs, Live and Compare states share one subscription and show the same status, tags and notes', async () => {
    const { api, runs } = backend()
    const store = new RunsStore(api)
    const table = new RunsState(api, { store, batchMs: 0, pollMs: 60_000 })
    const stopTable = table.start()
    const live = new LiveRunState(api, 'r1', { store, flushMs: 1 })
    const compare = new CompareState(api, { store })
    await Promise.all([table.load(), live.load(), compare.load(['r1', 'r2'])])
    await settle()
    expect(api.listenerCount()).toBe(1)

    // One event reaches every view, through the one subscription.
    const finished: RunSummary = summaryOf({ ...(runs.r1 as Run), status: 'finished', finishedAt: 5 })
    api.emit({ type: 'run', run: finished })
    expect(table.rows.find((r) => r.id === 'r1')?.status).toBe('finished')
    expect(live.run?.status).toBe('finished')
    expect(compare.runs.find((r) => r.id === 'r1')?.status).toBe('finished')
    // Each keeps what it read beside the summary.
    expect(live.run?.config).toEqual(config)
    expect(compare.runs[0]?.config).toEqual(config)

    // An edit answered to one view (no event) shows in the others.
    expect(await table.saveNotes('r1', 'better N')).toBe(true)
    expect(live.run?.notes).toBe('better N')
    expect(compare.runs.find((r) => r.id === 'r1')?.notes).toBe('better N')
    expect(store.summary('r1')?.notes).toBe('better N')

    // The subscription closes with the last view.
    stopTable()
    live.dispose()
    expect(api.listenerCount()).toBe(1)
    compare.dispose()
    expect(api.listenerCount()).toBe(0)
  })

  it('#16.5 a view built without a store keeps its own (one subscription each, as before)', async () => {
    const { api } = backend()
    const live = new LiveRunState(api, 'r1', { flushMs: 1 })
    await live.load()
    expect(api.listenerCount()).toBe(1)
    expect(live.run?.status).toBe('running')
    live.dispose()
    expect(api.listenerCount()).toBe(0)
  })
})
