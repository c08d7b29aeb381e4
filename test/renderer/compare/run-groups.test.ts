/** #19.10 Grouping compared runs by seed or by sweep: mean curves inside their min-max band. */
import { describe, expect, it } from 'vitest'
import type { MetricBucket } from '@shared/store/types'
import {
  groupCurveSeries,
  groupNames,
  groupNfeRuns,
  groupRuns,
  nfeBandDatasets,
} from '../../../src-renderer/lib/run-groups'
import { buildNfeConfig } from '../../../src-renderer/lib/charts/nfe-curves'
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

  it("#19 quality vs NFE by group: the mean of the runs' final figures, their students' min-max as a band", () => {
    const record = (runId: string, model: string, nfe: number, value: number, step = 100) => ({
      id: 0,
      runId,
      step,
      metric: 'swd',
      model,
      nfe,
      value,
      createdAt: 0,
    })
    const nfeRuns = [
      // An earlier evaluation of a is not its final one: left out.
      {
        runId: 'a',
        color: '#abcdef',
        evaluations: [
          record('a', 'student', 1, 99, 50),
          record('a', 'student', 1, 1),
          record('a', 'student', 2, 0.5),
          record('a', 'teacher', 100, 0.1),
        ],
      },
      {
        runId: 'b',
        color: '#000',
        evaluations: [record('b', 'student', 1, 3), record('b', 'student', 2, 0.7), record('b', 'teacher', 100, 0.1)],
      },
      { runId: 'c', color: '#123', evaluations: [record('c', 'student', 1, 5)] },
    ]
    const groups = groupRuns(runs, 'seed')
    const grouped = groupNfeRuns(groups, nfeRuns)
    expect(grouped.map((r) => r.runId)).toEqual(['group:a', 'c'])
    const mean = (model: string, nfe: number) =>
      grouped[0]?.evaluations.find((e) => e.model === model && e.nfe === nfe)?.value
    expect(mean('student', 1)).toBe(2)
    expect(mean('student', 2)).toBeCloseTo(0.6, 12)
    expect(mean('teacher', 100)).toBeCloseTo(0.1, 12)
    const bands = nfeBandDatasets(groups, nfeRuns, 'swd', false)
    expect(bands.map((b) => [b.label, b.data, b.fill])).toEqual([
      [
        'group:a (max)',
        [
          { x: 1, y: 3 },
          { x: 2, y: 0.7 },
        ],
        false,
      ],
      [
        'group:a (min)',
        [
          { x: 1, y: 1 },
          { x: 2, y: 0.5 },
        ],
        '-1',
      ],
    ])
    const config = buildNfeConfig(grouped, { metric: 'swd', logY: false, theme: LIGHT_THEME })
    expect(config.data.datasets.find((d) => d.label === 'group:a')?.data).toEqual([
      { x: 1, y: 2 },
      { x: 2, y: expect.closeTo(0.6, 12) },
    ])
  })
})
