/** #19.10 Parallel coordinates: axes for the differing hyperparameters and the metric, one line per run. */
import { describe, expect, it } from 'vitest'
import { linePath, parallelLayout } from '../../../src-renderer/lib/charts/parallel-coords'

const axes = [
  { key: 'numScales', label: 'N' },
  { key: 'lr', label: 'Learning rate' },
  { key: 'unused', label: 'nobody has it' },
  { key: 'metric', label: 'student NFE 1 swd' },
]
const runs = [
  { runId: 'a', color: '#111', values: { numScales: 6, lr: 1e-4, metric: 0.5 } },
  { runId: 'b', color: '#222', values: { numScales: 18, lr: 1e-3, metric: 2 } },
  { runId: 'c', color: '#333', values: { numScales: 12, lr: 1e-2, metric: null } },
]

describe('#19 parallel coordinates', () => {
  it('#19 spreads the axes evenly, leaves out one no run has, and places each value between min and max', () => {
    const { axes: out, lines } = parallelLayout(axes, runs)
    expect(out.map((a) => [a.key, a.x])).toEqual([
      ['numScales', 0],
      ['lr', 0.5],
      ['metric', 1],
    ])
    const n = out[0]!
    expect([n.min, n.max, n.log]).toEqual([6, 18, false])
    // N 12 is halfway between 6 and 18.
    expect(lines[2]!.points[0]).toEqual({ x: 0, y: 0.5 })
    // Learning rates span two decades: a log axis, 1e-3 in the middle.
    const lr = out[1]!
    expect(lr.log).toBe(true)
    expect(lines[1]!.points[1]!.y).toBeCloseTo(0.5, 12)
    expect(lr.ticks.map((t) => t.text)).toEqual(['1e-4', '1e-3', '0.01'])
    // A run without the metric breaks its line there.
    expect(lines[2]!.points[2]).toBeNull()
    expect(lines[0]!.points[2]).toEqual({ x: 1, y: 0 })
    expect(lines[1]!.points[2]).toEqual({ x: 1, y: 1 })
  })

  it('#19 a value all runs share sits mid-axis; paths break where a value is missing', () => {
    const { axes: out, lines } = parallelLayout(
      [{ key: 'k', label: 'k' }],
      [
        { runId: 'a', color: '#1', values: { k: 3 } },
        { runId: 'b', color: '#2', values: { k: 3 } },
      ],
    )
    expect(out[0]!.ticks).toEqual([{ y: 0.5, text: '3' }])
    expect(lines.map((l) => l.points[0])).toEqual([
      { x: 0.5, y: 0.5 },
      { x: 0.5, y: 0.5 },
    ])
    const d = linePath([{ x: 0, y: 0 }, { x: 0.5, y: 1 }, null, { x: 1, y: 0.5 }], 100, 100, 10)
    expect(d).toBe('M10.0,90.0 L50.0,10.0 M90.0,50.0')
  })
})
