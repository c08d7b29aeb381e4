/**
 * Every chart's numbers made readable in one place (Chart.svelte applies it to each config): compact tick
 * labels (format-number.ts), whole-number ticks on step axes, labels on log axes thinned so they never
 * overlap, horizontal x labels that skip rather than collide, and three significant digits in tooltips
 * (chart.js formats tooltip values with the axis' locale format, which shows a loss of 2e-4 as "0").
 * What a builder set itself (a tick callback, a tooltip label) is kept.
 */
import type { ChartConfiguration, Scale, Tick, TooltipItem } from 'chart.js'
import { compactNumber, integerTick, logTickShown, sig3 } from '../format-number'

type AnyScale = {
  type?: string
  title?: { text?: string | string[] }
  ticks?: Record<string, unknown>
}

/** Axes whose values are whole numbers: training steps. */
function isIntegerAxis(scale: AnyScale): boolean {
  const text = scale.title?.text
  const title = (Array.isArray(text) ? text.join(' ') : (text ?? '')).toLowerCase()
  return /\bsteps?\b/.test(title) && !/wall|time/.test(title)
}

function tickCallback(scale: AnyScale) {
  if (scale.type === 'logarithmic')
    return function (this: Scale, value: number | string): string {
      const v = Number(value)
      return logTickShown(v, this.min, this.max) ? compactNumber(v) : ''
    }
  if (isIntegerAxis(scale)) return (value: number | string) => integerTick(Number(value))
  return (value: number | string, index: number, ticks: Tick[]) => {
    const a = ticks[index - 1]?.value ?? ticks[index + 1]?.value
    return compactNumber(Number(value), a === undefined ? undefined : Math.abs(Number(value) - a))
  }
}

/** Sample scatters and the like: a tooltip line "label: (x, y)" or "label: y", three significant digits. */
function tooltipLabel(item: TooltipItem<'line'>): string {
  const raw = item.raw as { x?: unknown; y?: unknown } | number | null
  const label = item.dataset.label ?? ''
  if (raw && typeof raw === 'object' && typeof raw.y === 'number') {
    const y = sig3(raw.y)
    return `${label}: ${(item.chart.config as { type?: string }).type === 'scatter' && typeof raw.x === 'number' ? `(${sig3(raw.x)}, ${y})` : y}`
  }
  return `${label}: ${typeof raw === 'number' ? sig3(raw) : item.formattedValue}`
}

export function readableAxes<C extends ChartConfiguration>(config: C): C {
  const options = config.options ?? {}
  const scales = (options.scales ?? {}) as Record<string, AnyScale>
  const next: Record<string, AnyScale> = {}
  for (const [key, scale] of Object.entries(scales)) {
    const ticks = { ...(scale.ticks ?? {}) }
    if (ticks.callback === undefined) ticks.callback = tickCallback(scale)
    if (isIntegerAxis(scale) && scale.type !== 'logarithmic') ticks.precision ??= 0
    if (key === 'x') {
      ticks.maxRotation ??= 0
      ticks.autoSkipPadding ??= 12
    } else ticks.autoSkipPadding ??= 6
    next[key] = { ...scale, ticks }
  }
  const plugins = { ...((options as { plugins?: Record<string, unknown> }).plugins ?? {}) }
  const tooltip = { ...((plugins.tooltip as Record<string, unknown> | undefined) ?? {}) }
  const callbacks = { ...((tooltip.callbacks as Record<string, unknown> | undefined) ?? {}) }
  if (callbacks.label === undefined) callbacks.label = tooltipLabel
  if (callbacks.title === undefined && isIntegerAxis(scales.x ?? {}))
    callbacks.title = (items: TooltipItem<'line'>[]) => {
      const x = (items[0]?.raw as { x?: unknown } | undefined)?.x
      return typeof x === 'number' ? `step ${Math.round(x)}` : (items[0]?.label ?? '')
    }
  tooltip.callbacks = callbacks
  plugins.tooltip = tooltip
  return { ...config, options: { ...options, scales: next, plugins } } as C
}
