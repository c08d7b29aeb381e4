/** #19.2 Run verdicts in the history: stored with the run, listed, filtered, cleared when the run runs again. */
import { describe, expect, it } from 'vitest'
import { shownStatus, statusFilterOf } from '@shared/store/shown-status'
import { RunNotFoundError, StoreInputError } from '../../src-main/store'
import { newRun, tempStore } from './helpers'

const DIVERGED = { verdict: 'diverged' as const, reason: 'the one-step sliced W 790 is 269x the teacher one-step 2.94' }

describe('#19 run verdicts', () => {
  it('#19 a new run has none; a stored verdict reads back in getRun and listRuns, shown as the status', () => {
    const store = tempStore()
    const good = newRun(store)
    const bad = newRun(store)
    store.runs.updateStatus(good.id, 'finished')
    store.runs.updateStatus(bad.id, 'finished')
    expect(store.runs.getRun(good.id)).toMatchObject({ verdict: null, verdictReason: null })
    store.runs.setVerdict(bad.id, DIVERGED)
    expect(store.runs.getRun(bad.id)).toMatchObject({
      status: 'finished',
      verdict: 'diverged',
      verdictReason: DIVERGED.reason,
    })
    const listed = new Map(store.runs.listRuns().map((r) => [r.id, r]))
    expect(listed.get(bad.id)).toMatchObject({ verdict: 'diverged', verdictReason: DIVERGED.reason, tags: [] })
    expect(shownStatus(listed.get(bad.id)!)).toBe('diverged')
    expect(shownStatus(listed.get(good.id)!)).toBe('finished')
  })

  it('#19 the list filters by shown status: diverged, and finished without the diverged ones', () => {
    const store = tempStore()
    const good = newRun(store, { tags: ['t'] })
    const bad = newRun(store, { tags: ['t'] })
    for (const r of [good, bad]) store.runs.updateStatus(r.id, 'finished')
    store.runs.setVerdict(bad.id, DIVERGED)
    const ids = (shown: 'diverged' | 'finished') => store.runs.listRuns(statusFilterOf(shown)).map((r) => r.id)
    expect(ids('diverged')).toEqual([bad.id])
    expect(ids('finished')).toEqual([good.id])
    // The columns after the summary's (last metrics, tags, config) still read right.
    expect(store.runs.listRuns({ withConfig: true }).every((r) => r.tags[0] === 't' && r.config !== undefined)).toBe(
      true,
    )
  })

  it('#19 running the run again clears its verdict; bad input is refused naming it', () => {
    const store = tempStore()
    const run = newRun(store)
    store.runs.updateStatus(run.id, 'finished')
    store.runs.setVerdict(run.id, DIVERGED)
    store.runs.updateStatus(run.id, 'running')
    expect(store.runs.getRun(run.id)).toMatchObject({ verdict: null, verdictReason: null })
    expect(() => store.runs.setVerdict(run.id, { verdict: 'bad' as never, reason: '' })).toThrow(StoreInputError)
    expect(() => store.runs.setVerdict(run.id, { verdict: 'bad' as never, reason: '' })).toThrow(/"bad"/)
    expect(() => store.runs.setVerdict('nope', DIVERGED)).toThrow(RunNotFoundError)
  })
})
