import { describe, expect, it } from 'vitest'
import type { ChartConfiguration, LegendItem } from 'chart.js'
import { EXPORT_SCALE, exportConfig, exportSize } from '../../../src-renderer/lib/charts/export-config'
import { buildOverlayConfig } from '../../../src-renderer/lib/charts/overlay-curves'
import { buildScatterConfig } from '../../../src-renderer/lib/charts/sample-scatter'
import { LIGHT_THEME } from '../../../src-renderer/lib/charts/theme'
import { buckets } from '../compare/fixtures'

describe('#19 item 12: chart exports have a title, a legend with run names, and 2x pixels', () => {
  const curves = buildOverlayConfig(
    [
      { runId: 'k2m9q0aa', color: '#4e79a7', buckets: buckets([0, 100], () => 1), originMs: null },
      { runId: '7xr1y7dx', color: '#e15759', buckets: buckets([0, 100], () => 2), originMs: null },
    ],
    { metric: 'loss', smoothing: 0.6, logX: false, logY: true, xAxis: 'step', envelope: true, theme: LIGHT_THEME },
  ) as unknown as ChartConfiguration

  it('titles the picture, shows a legend of names and ids (one entry per run), paints a background', () => {
    const out = exportConfig(curves, {
      title: 'loss by step, 2 runs',
      names: { k2m9q0aa: 'cd N6 lr2e-3', '7xr1y7dx': 'tutorial' },
      background: '#ffffff',
      foreground: '#1d2128',
    })
    const plugins = out.options?.plugins as Record<string, Record<string, unknown>>
    expect(plugins.title).toMatchObject({ display: true, text: 'loss by step, 2 runs' })
    expect(plugins.legend).toMatchObject({ display: true, position: 'bottom' })
    const filter = (plugins.legend!.labels as { filter: (i: LegendItem) => boolean }).filter
    const entries = out.data.datasets.map((d) => d.label ?? '').filter((text) => filter({ text } as LegendItem))
    expect(entries).toEqual(['cd N6 lr2e-3 (k2m9q0aa)', 'tutorial (7xr1y7dx)'])
    expect(out.options?.devicePixelRatio).toBe(EXPORT_SCALE)
    expect(EXPORT_SCALE).toBe(2)
    expect(out.options?.responsive).toBe(false)
    expect(out.plugins?.map((p) => p.id)).toContain('exportBackground')
    // The shown chart is left as it was.
    expect((curves.options?.plugins as Record<string, { display?: boolean }>).legend?.display).toBe(false)
  })

  it('sizes scatters square and curves wide, both far larger than the 430x250 on screen', () => {
    const scatter = buildScatterConfig({ layers: [{ role: 'nfe1', label: 'student', points: [{ x: 0, y: 0 }] }] })
    const s = exportSize(scatter)
    const c = exportSize(curves)
    expect(s.width * EXPORT_SCALE).toBeGreaterThanOrEqual(1400)
    expect(c.width / c.height).toBeGreaterThan(1.5)
    expect(c.width * EXPORT_SCALE).toBeGreaterThanOrEqual(2000)
    // Never smaller than the chart on screen: a wide window's chart exports at twice its own pixels.
    expect(exportSize(curves, { width: 1342, height: 360 })).toEqual({ width: 1342, height: 620 })
    expect(exportSize(curves, { width: 800, height: 700 })).toEqual({ width: 1100, height: 790 })
  })
})
