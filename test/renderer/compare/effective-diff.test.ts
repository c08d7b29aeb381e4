/**
 * The Compare view over what runs trained with: the config diff shows effective values, with the asked value
 * beside them where a run asked another; labels and the hyperparameter axis read the effective config.
 */
import { describe, expect, it } from 'vitest'
import type { Run } from '@shared/store/types'
import { CompareState } from '../../../src-renderer/lib/state/compare.svelte'
import { diffEffectiveConfigs } from '../../../src-renderer/lib/effective-diff'
import { fakeApi, makeRun } from '../fake-api'

const base = { dataset: 'moons', numScales: 40, lr: 0.001, weighting: 'uniform' }

/** A run as runs.get answers it: the asked config and, beside it, the effective one. */
function run(id: string, config: Record<string, unknown>, effective: Record<string, unknown> = config): Run {
  return makeRun({ id, config, effectiveConfig: effective })
}
const ict = (id: string, targetEma: number) =>
  run(
    id,
    { ...base, algorithm: 'ict', targetEma },
    { ...base, algorithm: 'ict', targetEma: 0, weighting: 'inverse-gap' },
  )

describe('the compare diff and the effective config', () => {
  it('#16.2 shows an iCT run that asked mu 0.95 as mu 0 (asked 0.95) and inverse-gap beside a cd run', () => {
    const rows = diffEffectiveConfigs([ict('i', 0.95), run('c', { ...base, algorithm: 'cd', targetEma: 0.95 })])
    const byField = Object.fromEntries(rows.map((r) => [r.field, r]))
    expect(byField.targetEma?.values).toEqual([0, 0.95])
    expect(byField.targetEma?.cells).toEqual(['0 (asked 0.95)', '0.95'])
    expect(byField.targetEma?.differs).toBe(true)
    expect(byField.weighting?.cells).toEqual(['inverse-gap (asked uniform)', 'uniform'])
    expect(byField.numScales?.cells).toEqual(['40', '40'])
  })

  it('#16.2 two iCT runs that asked different mu trained alike: the row does not differ', () => {
    const rows = diffEffectiveConfigs([ict('a', 0.95), ict('b', 0.99)])
    const mu = rows.find((r) => r.field === 'targetEma')
    expect(mu?.differs).toBe(false)
    expect(mu?.cells).toEqual(['0 (asked 0.95)', '0 (asked 0.99)'])
  })

  it('#16.2 reads a run without a listed effective config from its stored config', () => {
    const stored = makeRun({ id: 's', config: { ...base, algorithm: 'ict', targetEma: 0.95 } })
    expect(stored.effectiveConfig).toBeUndefined()
    const mu = diffEffectiveConfigs([stored]).find((r) => r.field === 'targetEma')
    expect(mu?.cells).toEqual(['0 (asked 0.95)'])
  })

  it('#16.2 labels and the hyperparameter axis follow what the runs trained with', async () => {
    const runs: Record<string, Run> = {
      a: ict('a', 0.95),
      b: ict('b', 0.99),
      c: run('c', { ...base, algorithm: 'cd', targetEma: 0.95 }),
    }
    const fake = fakeApi({
      'runs.get': ({ id }) => runs[id as string],
      'metrics.list': () => [],
      'runs.evaluations': () => [],
      'samples.list': () => [],
    })
    const state = new CompareState(fake.api)
    await state.load(['a', 'b'])
    // Alike in what they trained with: labelled by algorithm and dataset, not by the mu they asked.
    expect(state.differences).toEqual({ a: 'ict · moons', b: 'ict · moons' })
    await state.load(['a', 'c'])
    expect(state.differences.a).toContain('targetEma=0')
    expect(state.differences.c).toContain('targetEma=0.95')
    expect(state.effectiveHparamField).toBe('targetEma')
    state.dispose()
  })
})
