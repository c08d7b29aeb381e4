import { describe, expect, it } from 'vitest'
import type { MetricBucket } from '@shared/store/types'
import {
  appendToCurve,
  buildCurveConfig,
  curveFromBuckets,
  EMPTY_CURVE,
  seriesCsv,
} from '../../../src-renderer/lib/charts/loss-curve'

const bucket = (
  index: number,
  lastStep: number,
  last: number,
  min: number | null,
  max: number | null,
  count = 10,
): MetricBucket => ({
  index,
  start: lastStep - 9,
  end: lastStep,
  count,
  firstStep: lastStep - 9,
  lastStep,
  first: last,
  last,
  lastWallMs: 1000 + lastStep,
  min,
  max,
})

type Ds = { label: string; data: Array<{ x: number; y: number }>; fill?: unknown }

describe('loss curve', () => {
  it('draws each bucket at its last step with its exact extremes as a band', () => {
    const curve = curveFromBuckets([
      bucket(0, 9, 1.0, 0.8, 1.5),
      bucket(1, 19, 0.5, 0.4, 0.9),
      bucket(2, 20, 0.45, 0.45, 0.45, 1),
    ])
    expect(curve.line).toEqual([
      { x: 9, y: 1.0 },
      { x: 19, y: 0.5 },
      { x: 20, y: 0.45 },
    ])
    // A single-point bucket adds nothing to the band.
    expect(curve.low).toEqual([
      { x: 9, y: 0.8 },
      { x: 19, y: 0.4 },
    ])
    expect(curve.high).toEqual([
      { x: 9, y: 1.5 },
      { x: 19, y: 0.9 },
    ])
  })

  it('appends streamed points of its key in step order and ignores other keys', () => {
    const start = curveFromBuckets([bucket(0, 9, 1, 0.5, 2)])
    const next = appendToCurve(
      start,
      [
        { key: 'loss', step: 11, value: 0.7 },
        { key: 'lr', step: 10, value: 1e-3 },
        { key: 'loss', step: 10, value: 0.8 },
      ],
      'loss',
    )
    expect(next.line).toEqual([
      { x: 9, y: 1 },
      { x: 10, y: 0.8 },
      { x: 11, y: 0.7 },
    ])
    expect(next).not.toBe(start)
    expect(start.line).toHaveLength(1)
    expect(appendToCurve(start, [{ key: 'lr', step: 10, value: 1 }], 'loss')).toBe(start)
  })

  it('cuts the curve where a resumed run goes back to an earlier step', () => {
    let curve = appendToCurve(
      EMPTY_CURVE,
      [10, 20, 30, 40].map((step) => ({ key: 'loss', step, value: step })),
      'loss',
    )
    curve = appendToCurve(curve, [{ key: 'loss', step: 21, value: -1 }], 'loss')
    expect(curve.line.map((p) => p.x)).toEqual([10, 20, 21])
  })

  it('builds a chart.js config without parsing or animation, with log y on request', () => {
    const curve = curveFromBuckets([bucket(0, 9, 1.0, 0.8, 1.5), bucket(1, 19, 0, -0.1, 0.2)])
    const config = buildCurveConfig({ series: [{ label: 'loss', curve, color: '#4e79a7' }], logY: true })
    expect(config.type).toBe('line')
    expect(config.options?.parsing).toBe(false)
    expect(config.options?.animation).toBe(false)
    expect((config.options?.scales?.y as { type: string }).type).toBe('logarithmic')
    const datasets = config.data.datasets as unknown as Ds[]
    expect(datasets.map((d) => d.label)).toEqual(['loss (max)', 'loss (min)', 'loss'])
    expect(datasets[1]?.fill).toBe('-1')
    // Zero and negative values cannot sit on a log axis.
    expect(datasets[2]?.data).toEqual([{ x: 9, y: 1.0 }])
    expect(datasets[1]?.data).toEqual([{ x: 9, y: 0.8 }])
    const linear = buildCurveConfig({ series: [{ label: 'loss', curve, color: '#4e79a7' }] })
    expect((linear.options?.scales?.y as { type: string }).type).toBe('linear')
    expect((linear.data.datasets as unknown as Ds[])[2]?.data).toHaveLength(2)
  })

  it('writes a series as CSV with NaN kept', () => {
    expect(
      seriesCsv([
        { step: 1, value: 0.5, wallMs: 1000 },
        { step: 2, value: Number.NaN, wallMs: 1010 },
      ]),
    ).toBe('step,value,wallMs\n1,0.5,1000\n2,NaN,1010\n')
    expect(seriesCsv([])).toBe('step,value,wallMs\n')
  })
})
