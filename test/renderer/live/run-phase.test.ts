/**
 * #19.4/#19.5 The Live view's phase: from Launch to the first step ("starting engine (loading backend)") and
 * after the last ("final evaluation: 3 of 7 models x NFE"), read with the run and followed through events.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import type { Run } from '@shared/store/types'
import { LiveRunState } from '../../../src-renderer/lib/state/live-run.svelte'
import { RunPhaseState } from '../../../src-renderer/lib/state/run-phase.svelte'
import { fakeApi, makeRun, settle } from '../fake-api'

const states: { dispose(): void }[] = []
afterEach(() => states.splice(0).forEach((s) => s.dispose()))

const run = (over: Partial<Run> = {}): Run =>
  makeRun({ status: 'running', finishedAt: null, config: { ...DISTILL_DEFAULTS, steps: 1500 }, ...over })

describe('#19 the run phase in the Live view', () => {
  it('#19.5 a run opened while its engine starts shows it, with the elapsed time ticking', async () => {
    let now = 10_000
    const phase = new RunPhaseState('r1', () => now)
    states.push(phase)
    phase.fromRun({ phase: { name: 'engine', done: 0, total: 0, since: 7_000 } })
    expect(phase.text).toBe('starting engine (loading backend), 3.0 s')
    expect(phase.fraction).toBeNull()
    now = 12_500
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(phase.text).toBe('starting engine (loading backend), 5.5 s')
  })

  it('#19.4 the live state follows phase events: the final evaluation with its count, gone when the run ends', async () => {
    const fake = fakeApi({
      'runs.get': () => run({ id: 'r1', phase: { name: 'preparing', done: 0, total: 0, since: Date.now() } }),
      'metrics.downsampled': () => [],
      'samples.list': () => [],
      'runs.evaluations': () => [],
    })
    const live = new LiveRunState(fake.api, 'r1', { flushMs: 0 })
    states.push(live)
    await live.load()
    expect(live.phase.label).toBe('preparing the first step (loading the teacher)')
    expect(live.canPause).toBe(true)
    fake.emit({ type: 'phase', runId: 'r1', phase: null })
    expect(live.phase.phase).toBeNull()
    fake.emit({ type: 'phase', runId: 'other', phase: { name: 'engine', done: 0, total: 0, since: 0 } })
    expect(live.phase.phase).toBeNull()
    fake.emit({ type: 'phase', runId: 'r1', phase: { name: 'evaluation', done: 3, total: 7, since: Date.now() } })
    expect(live.phase.text).toMatch(/^final evaluation: 3 of 7 models x NFE, \d+\.\d s$/)
    expect(live.phase.fraction).toBeCloseTo(3 / 7)
    // Nothing left to pause after the last step; cancelling still works.
    expect(live.canPause).toBe(false)
    expect(live.canCancel).toBe(true)
    fake.emit({ type: 'run', run: run({ id: 'r1', status: 'finished', finishedAt: Date.now() }) })
    await settle()
    expect(live.phase.phase).toBeNull()
  })
})
