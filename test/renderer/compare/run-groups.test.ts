/** #19.10 Grouping compared runs by seed or by sweep: mean curves inside their min-max band. */
import { describe, expect, it } from 'vitest'
import type { MetricBucket } from '@shared/store/types'
import { groupCurveSeries, groupNames, groupRuns } from '../../../src-renderer/lib/run-groups'
import { buildOverlayConfig, type CurveSeries } from '../../../src-renderer/lib/charts/overlay-curves'
import { LIGHT_THEME } from '../../../src-renderer/lib/charts/theme'
import { makeRow } from '../runs/fixtures'

const run = (id: string, config: Record<string, unknown>, tags: string[] = []) =>
  makeRow(
    id,
    { name: `cd N${config.numScales ?? 18} mu0 lr1e-3${config.seed ? ` seed${config.seed}` : ''}`, tags },
    config,
  )

function bucket(index: number, value: number, wallMs: number): MetricBucket {
  return {
    index,
    start: index * 10,
    end: index * 10 + 9,
    count: 10,
    firstStep: index * 10,
    lastStep: index * 10 + 9,
    first: value,
    last: value,
    lastWallMs: wallMs,
    min: value,
    max: value,
  }
}
const series = (runId: string, values: number[], origin: number): CurveSeries => ({
  runId,
  color: '#000',
  originMs: origin,
  buckets: values.map((v, i) => bucket(i, v, origin + 1000 * (i + 1))),
})

describe('#19 run groups', () => {
  const runs = [
    run('a', { seed: 1 }),
    run('b', { seed: 2, backend: 'cpu' }),
    run('c', { numScales: 40, seed: 1 }, ['sweep:s1']),
    run('d', { numScales: 60 }, ['sweep:s1']),
  ]

  it('#19 by seed: runs that trained alike but for seed and bookkeeping are one group; by sweep: its tag', () => {
    const bySeed = groupRuns(runs, 'seed')
    expect(bySeed.map((g) => g.runIds)).toEqual([['a', 'b'], ['c'], ['d']])
    expect(groupNames(bySeed)).toEqual({
      'group:a': 'cd N18 mu0 lr1e-3 · 2 seeds',
      c: 'cd N40 mu0 lr1e-3 seed1',
      d: 'cd N60 mu0 lr1e-3',
    })
    const bySweep = groupRuns(runs, 'sweep')
    expect(bySweep.map((g) => [g.id, g.runIds, g.label])).toEqual([
      ['a', ['a'], 'cd N18 mu0 lr1e-3 seed1'],
      ['b', ['b'], 'cd N18 mu0 lr1e-3 seed2'],
      ['group:c', ['c', 'd'], 'sweep:s1 · 2 runs'],
    ])
    expect(groupRuns(runs, 'none').map((g) => g.id)).toEqual(['a', 'b', 'c', 'd'])
  })

  it("#19 a group's curve is its runs' mean with their min-max as the band; wall time from each run's start", () => {
    const groups = groupRuns(runs, 'seed')
    const out = groupCurveSeries(
      groups,
      [series('a', [1, 4, 2], 50_000), series('b', [3, 2, Number.NaN], 90_000), series('c', [7], 0)],
      { a: '#abcdef', c: '#123456' },
    )
    expect(out.map((s) => [s.runId, s.color])).toEqual([
      ['group:a', '#abcdef'],
      ['c', '#000'],
    ])
    const g = out[0] as CurveSeries
    expect(g.buckets.map((b) => [b.last, b.min, b.max])).toEqual([
      [2, 1, 3],
      [3, 2, 4],
      [2, 2, 2],
    ])
    expect(g.buckets.map((b) => b.lastWallMs)).toEqual([1000, 2000, 3000])
    // Drawn with the envelope: the band datasets come first, then the mean line.
    const config = buildOverlayConfig(out, {
      metric: 'loss',
      smoothing: 0,
      logX: false,
      logY: false,
      xAxis: 'step',
      envelope: true,
      theme: LIGHT_THEME,
    })
    const labels = config.data.datasets.map((d) => d.label)
    expect(labels.slice(0, 3)).toEqual(['group:a (max)', 'group:a (min)', 'group:a'])
    expect(config.data.datasets[2]?.data.map((p) => (p as { y: number }).y)).toEqual([2, 3, 2])
  })
})
