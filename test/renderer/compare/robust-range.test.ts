import { describe, expect, it } from 'vitest'
import {
  clipToBox,
  fitSquare,
  offChartText,
  quantile,
  robustSquare,
  robustYRange,
  spansDecades,
} from '../../../src-shared/robust-range'
import { buildSampleConfig } from '../../../src-renderer/lib/charts/compare-samples'
import { LIGHT_THEME } from '../../../src-renderer/lib/charts/theme'

/** A seeded ring of n points of radius r around (cx, cy): a stand-in for 2D samples. */
function ring(n: number, r: number, cx = 0, cy = 0) {
  return Array.from({ length: n }, (_, i) => ({
    x: cx + r * Math.cos((2 * Math.PI * i) / n),
    y: cy + r * Math.sin((2 * Math.PI * i) / n),
  }))
}

describe('#19 robust shared sample range', () => {
  const data = ring(500, 1)
  const good = [ring(400, 1.1), ring(400, 0.9)]
  // The tutorial run of the issue: samples from -1271 to 944.
  const diverged = ring(400, 1100, -160, 0)

  it('a diverged run does not shrink the good runs, and its points are counted off the chart', () => {
    const naive = fitSquare([data, ...good, diverged])!
    const box = robustSquare([data, data, data], [...good, diverged])!
    // The naive range is ~2200 wide: the good runs would be a dot. The robust one stays near the data.
    expect(naive.maxX - naive.minX).toBeGreaterThan(2000)
    expect(box.maxX - box.minX).toBeLessThan(8)
    for (const g of good) expect(clipToBox(g, box).off).toBe(0)
    const clipped = clipToBox(diverged, box)
    expect(clipped.off).toBe(400)
    expect(clipped.inside).toHaveLength(0)
    for (const p of clipped.edge) {
      expect(p.x).toBeGreaterThanOrEqual(box.minX)
      expect(p.x).toBeLessThanOrEqual(box.maxX)
      expect(p.x === box.minX || p.x === box.maxX || p.y === box.minY || p.y === box.maxY).toBe(true)
    }
    expect(offChartText(clipped.off)).toBe('400 points off the chart')
    expect(offChartText(1)).toBe('1 point off the chart')
    expect(offChartText(0)).toBe('')
  })

  it('without reference points the run of median spread sets the range', () => {
    const box = robustSquare([], [...good, diverged])!
    expect(box.maxX - box.minX).toBeLessThan(8)
  })

  it('counts non-finite points as off the chart and places infinite ones on their edge', () => {
    const box = { minX: -1, maxX: 1, minY: -1, maxY: 1 }
    const c = clipToBox(
      [
        { x: Number.NaN, y: 0 },
        { x: Number.POSITIVE_INFINITY, y: 0 },
        { x: 0.5, y: 0.5 },
      ],
      box,
    )
    expect(c.off).toBe(2)
    expect(c.nonFinite).toBe(2)
    expect(offChartText(c.off, c.nonFinite)).toBe('2 points off the chart, 2 of them not finite (NaN or ±∞)')
    expect(c.edge).toEqual([{ x: 1, y: 0 }])
    expect(c.inside).toEqual([{ x: 0.5, y: 0.5 }])
  })

  it('the compare panel draws the off-chart points as edge marks in the run colour', () => {
    const box = robustSquare([data], [diverged])
    const cfg = buildSampleConfig({
      runId: 'bad',
      color: '#e15759',
      points: diverged,
      data,
      bounds: box,
      theme: LIGHT_THEME,
    })
    const ds = cfg.data.datasets
    expect(ds.map((d) => d.label)).toEqual(['held-out data', 'bad', 'bad (off the chart)'])
    expect(ds[1]?.data).toHaveLength(0)
    expect(ds[2]?.data).toHaveLength(400)
    expect(ds[2]?.pointStyle).toBe('triangle')
    expect(ds[2]?.borderColor).toBe('#e15759')
  })
})

describe('#19 robust y range and log start', () => {
  it('quantile interpolates', () => {
    expect(quantile([0, 10], 0.5)).toBe(5)
    expect(quantile([1, 2, 3, 4, 5], 0)).toBe(1)
    expect(quantile([1, 2, 3, 4, 5], 1)).toBe(5)
  })

  it('ignores a blown-up tail when asked', () => {
    const values = [...Array.from({ length: 96 }, (_, i) => 1 + i / 100), 1e6, 5e6, 1e7, 1e8]
    const r = robustYRange(values, false)!
    expect(r.max).toBeLessThan(10)
    expect(r.min).toBeLessThan(1.1)
    const lr = robustYRange(values, true)!
    expect(lr.min).toBeGreaterThan(0)
    expect(lr.max).toBeLessThan(10)
    expect(robustYRange([1], false)).toBeNull()
    expect(robustYRange([2, 2, 2], false)).toBeNull()
  })

  it('starts on log y only when the values span decades', () => {
    expect(spansDecades([1848, 0.5, 0.2])).toBe(true)
    expect(spansDecades([0.5, 0.2, 0.3])).toBe(false)
    expect(spansDecades([-1, 100, 0.001])).toBe(false)
    expect(spansDecades([Number.NaN, 1e-3, 1])).toBe(true)
  })
})
