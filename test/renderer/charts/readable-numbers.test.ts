import { describe, expect, it } from 'vitest'
import type { ChartConfiguration, Scale, Tick, TooltipItem } from 'chart.js'
import { compactNumber, integerTick, logTickShown, sig3 } from '../../../src-renderer/lib/format-number'
import { readableAxes } from '../../../src-renderer/lib/charts/readable-axes'
import { buildCurveConfig } from '../../../src-renderer/lib/charts/loss-curve'
import { buildOverlayConfig } from '../../../src-renderer/lib/charts/overlay-curves'
import { LIGHT_THEME } from '../../../src-renderer/lib/charts/theme'
import { buckets } from '../compare/fixtures'

describe('#19 item 11: compact ticks, three significant digits in tooltips', () => {
  it('formats ticks compactly', () => {
    expect(compactNumber(1000)).toBe('1e3')
    expect(compactNumber(25000)).toBe('2.5e4')
    expect(compactNumber(0.00005)).toBe('5e-5')
    expect(compactNumber(0.25)).toBe('0.25')
    expect(compactNumber(1.5)).toBe('1.5')
    expect(compactNumber(742)).toBe('742')
    expect(compactNumber(-0.5)).toBe('-0.5')
    expect(compactNumber(0)).toBe('0')
    // Float noise about zero on a tick grid of 0.1 is zero.
    expect(compactNumber(1.3877787807814457e-17, 0.1)).toBe('0')
  })

  it('labels step axes with whole numbers only', () => {
    expect(integerTick(742)).toBe('742')
    expect(integerTick(742.04)).toBe('')
    expect(integerTick(1500)).toBe('1500')
  })

  it('tooltips keep three significant digits', () => {
    expect(sig3(2e-4)).toBe('2.00e-4')
    expect(sig3(0.123456)).toBe('0.123')
    expect(sig3(1848.2)).toBe('1848')
    expect(sig3(6.8e27)).toBe('6.80e27')
    expect(sig3(0)).toBe('0')
  })

  it('thins log-axis labels so they cannot overlap over many decades', () => {
    expect(logTickShown(100, 1, 1000)).toBe(true)
    expect(logTickShown(200, 1, 1000)).toBe(true)
    expect(logTickShown(300, 1, 1000)).toBe(false)
    // Eight decades: powers of ten only.
    expect(logTickShown(200, 1e-4, 1e4)).toBe(false)
    expect(logTickShown(1e-3, 1e-4, 1e4)).toBe(true)
    // Less than a decade (2.3 to 4.8 holds no 1, 2 or 5): every tick keeps its label.
    expect(logTickShown(3, 2.3, 4.8)).toBe(true)
    expect(logTickShown(4, 2.3, 4.8)).toBe(true)
  })

  it('applies to the Live loss chart: log ticks thinned, integer steps, tooltip not "0" for 2e-4', () => {
    const curve = { line: [{ x: 10, y: 2e-4 }], low: [], high: [] }
    const config = readableAxes(
      buildCurveConfig({ series: [{ label: 'loss', curve, color: '#4e79a7' }], logY: true, yTitle: 'loss' }),
    )
    const scales = config.options?.scales as Record<string, { ticks: Record<string, unknown> }>
    const y = scales.y!.ticks.callback as (this: Scale, v: number, i: number, t: Tick[]) => string
    const yScale = { min: 1e-4, max: 1e4 } as Scale
    const labels = [1e-4, 2e-4, 5e-4, 1e-3, 3e-3, 1e4].map((v, i, all) =>
      y.call(
        yScale,
        v,
        i,
        all.map((value) => ({ value })),
      ),
    )
    expect(labels).toEqual(['1e-4', '', '', '1e-3', '', '1e4'])
    const x = scales.x!.ticks.callback as (v: number) => string
    expect(x(742.04)).toBe('')
    expect(x(750)).toBe('750')
    expect(scales.x!.ticks.maxRotation).toBe(0)
    expect(scales.x!.ticks.precision).toBe(0)
    const tooltip = (config.options?.plugins as { tooltip: { callbacks: Record<string, unknown> } }).tooltip
    const label = tooltip.callbacks.label as (item: TooltipItem<'line'>) => string
    const item = {
      raw: { x: 10, y: 2e-4 },
      dataset: { label: 'loss' },
      chart: { config: { type: 'line' } },
      formattedValue: '0',
    } as unknown as TooltipItem<'line'>
    expect(label(item)).toBe('loss: 2.00e-4')
    const title = tooltip.callbacks.title as (items: TooltipItem<'line'>[]) => string
    expect(title([item])).toBe('step 10')
  })

  it('keeps what a builder set, and formats linear value axes compactly', () => {
    const config = readableAxes(
      buildOverlayConfig([{ runId: 'a', color: '#4e79a7', buckets: buckets([0, 1000], () => 1), originMs: null }], {
        metric: 'loss',
        smoothing: 0,
        logX: false,
        logY: false,
        xAxis: 'step',
        envelope: false,
        theme: LIGHT_THEME,
      }),
    )
    const y = (
      config.options?.scales as Record<string, { ticks: { callback: (v: number, i: number, t: Tick[]) => string } }>
    ).y!
    const ticks = [0, 500, 1000].map((value) => ({ value }))
    expect(ticks.map((t, i) => y.ticks.callback(t.value, i, ticks))).toEqual(['0', '500', '1e3'])
    const custom: ChartConfiguration = {
      type: 'line',
      data: { datasets: [] },
      options: { scales: { x: { ticks: { callback: () => 'mine' } } } },
    }
    const kept = readableAxes(custom).options?.scales?.x?.ticks?.callback as () => string
    expect(kept()).toBe('mine')
  })
})
