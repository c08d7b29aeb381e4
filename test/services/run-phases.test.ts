/** #19.4/#19.5 A run's phases between steps, as the run service derives them from its engine's messages. */
import { describe, expect, it } from 'vitest'
import type { RunPhase } from '@shared/ipc/api'
import { elapsedText, phaseText } from '@shared/ipc/run-phase-text'
import { RunPhases } from '../../src-main/services/run-phases'
import type { RunUpdate } from '../../src-main/services/run-types'

function tracker() {
  let now = 1_000
  const seen: (RunPhase | null)[] = []
  const phases = new RunPhases(
    (update: RunUpdate) => {
      if (update.type === 'phase' && update.runId === 'r') seen.push(update.phase)
    },
    () => now,
  )
  return { phases, seen, tick: (ms: number) => (now += ms) }
}
const point = { step: 1, loss: 1, lr: 1, wallMs: 0 }

describe('#19 RunPhases', () => {
  it('#19.5 launch to first step: engine (loading backend), then preparing, then training (null)', () => {
    const { phases, seen, tick } = tracker()
    phases.launched('r')
    tick(3000)
    phases.message('r', { type: 'started', runId: 'r', backend: 'wasm', skipped: [], step: 0, totalSteps: 40 })
    expect(phases.current('r')).toEqual({ name: 'preparing', done: 0, total: 0, since: 4000 })
    tick(500)
    phases.message('r', { type: 'metrics', runId: 'r', points: [point] })
    phases.message('r', { type: 'metrics', runId: 'r', points: [point] })
    expect(seen).toEqual([
      { name: 'engine', done: 0, total: 0, since: 1000 },
      { name: 'preparing', done: 0, total: 0, since: 4000 },
      null,
    ])
    expect(phases.current('r')).toBeNull()
  })

  it('#19.4 the final evaluation counts models x NFE, keeps its start time, and ends with the run', () => {
    const { phases, seen, tick } = tracker()
    phases.launched('r')
    phases.message('r', { type: 'metrics', runId: 'r', points: [point] })
    tick(10_000)
    const progress = (done: number) =>
      phases.message('r', { type: 'progress', runId: 'r', phase: 'evaluation', done, total: 7 })
    progress(0)
    tick(4000)
    progress(3)
    // Points flushed late do not end it.
    phases.message('r', { type: 'metrics', runId: 'r', points: [point] })
    expect(phases.current('r')).toEqual({ name: 'evaluation', done: 3, total: 7, since: 11_000 })
    phases.message('r', { type: 'finished', runId: 'r', step: 40, msPerStep: 1, lastLoss: 1 })
    expect(seen.slice(-3)).toEqual([
      { name: 'evaluation', done: 0, total: 7, since: 11_000 },
      { name: 'evaluation', done: 3, total: 7, since: 11_000 },
      null,
    ])
    // An engine that exits afterwards changes nothing more.
    phases.ended('r')
    expect(seen.at(-1)).toBeNull()
    expect(seen.filter((p) => p === null)).toHaveLength(2) // after `engine` (first points), after the run
  })

  it('#19 the wording: counted phases say what they count, with the elapsed time', () => {
    expect(phaseText({ name: 'evaluation', done: 3, total: 7, since: 0 }, 12_400)).toBe(
      'final evaluation: 3 of 7 models x NFE, 12.4 s',
    )
    expect(phaseText({ name: 'engine', done: 0, total: 0, since: 0 }, 2_000)).toBe(
      'starting engine (loading backend), 2.0 s',
    )
    expect(elapsedText(125_000)).toBe('2 min 05 s')
  })
})
