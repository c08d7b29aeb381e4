/** #19.7 Compare names each run by its name (legend, diff, metrics, sample panels, exported PNG legends). */
import { describe, expect, it } from 'vitest'
import type { Run } from '@shared/store/types'
import { runName, runNames } from '../../../src-renderer/lib/run-names'
import { CompareState } from '../../../src-renderer/lib/state/compare.svelte'
import { fakeApi, makeRun } from '../fake-api'

describe('#19 run names in Compare', () => {
  it('#19 a run reads its name, else its id; a name two runs share gets the end of each id', () => {
    expect(runName({ id: 'r1', name: 'cd N6 mu0 lr2e-3' })).toBe('cd N6 mu0 lr2e-3')
    expect(runName({ id: 'r1' })).toBe('r1')
    const names = runNames([
      { id: '20261204-180000-aaaaaaaa', name: 'cd N6 mu0 lr2e-3' },
      { id: '20261204-180001-bbbbbbbb', name: 'cd N6 mu0 lr2e-3' },
      { id: '20261204-180002-cccccccc', name: 'baseline' },
      { id: 'r4' },
    ])
    expect(names).toEqual({
      '20261204-180000-aaaaaaaa': 'cd N6 mu0 lr2e-3 · aaaaaa',
      '20261204-180001-bbbbbbbb': 'cd N6 mu0 lr2e-3 · bbbbbb',
      '20261204-180002-cccccccc': 'baseline',
      r4: 'r4',
    })
  })

  it('#19 CompareState labels are the run names; what differs stays beside them', async () => {
    const runs: Record<string, Run> = {
      a: makeRun({ id: 'a', name: 'cd N18 mu0 lr1e-3', config: { dataset: 'moons', numScales: 18 } }),
      b: makeRun({ id: 'b', name: 'wide grid', config: { dataset: 'moons', numScales: 40 } }),
    }
    const fake = fakeApi({
      'runs.get': ({ id }) => runs[id as string],
      'metrics.list': () => [],
      'runs.evaluations': () => [],
      'samples.list': () => [],
    })
    const state = new CompareState(fake.api)
    await state.load(['a', 'b'])
    expect(state.labels).toEqual({ a: 'cd N18 mu0 lr1e-3', b: 'wide grid' })
    expect(state.differences).toEqual({ a: 'numScales=18', b: 'numScales=40' })
    expect(state.samplePanels.map((p) => p.label)).toEqual(['cd N18 mu0 lr1e-3', 'wide grid'])
  })
})
