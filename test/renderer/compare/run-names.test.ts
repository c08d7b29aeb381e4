/** #19.7 Compare names each run by its name (legend, diff, metrics, sample panels, exported PNG legends). */
import { describe, expect, it } from 'vitest'
import type { Run } from '@shared/store/types'
import { runName, runNames, withRunNames } from '../../../src-renderer/lib/run-names'
import { buildNfeConfig } from '../../../src-renderer/lib/charts/nfe-curves'
import { LIGHT_THEME } from '../../../src-renderer/lib/charts/theme'
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

  it('#19 the quality-vs-NFE legend names runs, teachers by the names of their runs; bands stay out of it', () => {
    const rec = (runId: string, model: string, nfe: number, value: number) => ({
      id: 0,
      runId,
      step: 1,
      metric: 'swd',
      model,
      nfe,
      value,
      createdAt: 0,
    })
    const config = buildNfeConfig(
      [
        { runId: 'r-a', color: '#111', evaluations: [rec('r-a', 'student', 1, 1), rec('r-a', 'teacher', 100, 0.1)] },
        { runId: 'r-b', color: '#222', evaluations: [rec('r-b', 'student', 1, 2), rec('r-b', 'teacher', 100, 0.2)] },
      ],
      { metric: 'swd', logY: false, theme: LIGHT_THEME },
    )
    const named = withRunNames(
      { ...config, data: { datasets: [{ label: 'r-a (max)', data: [] }, ...config.data.datasets] } },
      { 'r-a': 'baseline', 'r-b': 'wide grid' },
    )
    const labels = named.data.datasets.map((d) => d.label)
    expect(labels).toContain('baseline')
    expect(labels).toContain('wide grid')
    expect(labels.filter((l) => l?.startsWith('teacher'))).toEqual(['teacher (baseline)', 'teacher (wide grid)'])
    expect(labels.some((l) => l?.includes('r-a') || l?.includes('r-b'))).toBe(false)
    const filter = named.options?.plugins?.legend?.labels?.filter as (item: { text: string }) => boolean
    expect(filter({ text: 'baseline (max)' })).toBe(false)
    expect(filter({ text: 'baseline' })).toBe(true)
  })
})
