/**
 * What a chart's "Export PNG" draws: the chart as shown, plus what a picture needs once it leaves the app:
 * a title, a legend with the runs' names, a solid background, and twice the pixels, at a fixed size so the
 * data fills the plot whatever the window's size. Pure: Chart.svelte renders it on an offscreen canvas.
 */
import type { ChartConfiguration, LegendItem, Plugin } from 'chart.js'

/** Pixel density of exports: 2x, sharp on high-density screens and in slides. */
export const EXPORT_SCALE = 2

/**
 * CSS pixels of an exported chart: square for scatters drawn square, wide for curves, and never smaller
 * than the chart on screen (`shown`, its canvas' size), so the export has at least twice its pixels.
 */
export function exportSize(
  config: ChartConfiguration,
  shown?: { width: number; height: number },
): { width: number; height: number } {
  const aspect = (config.options as { aspectRatio?: number } | undefined)?.aspectRatio
  const base = aspect === 1 ? { width: 720, height: 800 } : { width: 1100, height: 620 }
  if (!shown) return base
  // Room for the title and the legend the export adds.
  return {
    width: Math.max(base.width, Math.round(shown.width)),
    height: Math.max(base.height, Math.round(shown.height) + 90),
  }
}

/** Datasets that repeat a run's entry (raw curve, envelope, edge marks) get no legend entry of their own. */
const SECONDARY = /\((?:raw|min|max|off the chart)\)$/

export interface ExportOptions {
  title: string
  /** Run id → a readable name; legend entries show "name (id)". */
  names?: Record<string, string>
  /** Background and text colours (the current theme's). */
  background: string
  foreground: string
}

/** Paints the background under the chart (a canvas is transparent; a PNG viewer would show black or checks). */
function backgroundPlugin(colour: string): Plugin {
  return {
    id: 'exportBackground',
    beforeDraw(chart) {
      const { ctx, width, height } = chart
      ctx.save()
      ctx.fillStyle = colour
      ctx.fillRect(0, 0, width, height)
      ctx.restore()
    },
  }
}

export function exportConfig(config: ChartConfiguration, options: ExportOptions): ChartConfiguration {
  const names = options.names ?? {}
  const datasets = config.data.datasets.map((d) => {
    const label = d.label ?? ''
    const id = label.replace(SECONDARY, '').trim()
    const name = names[id]
    return name && name !== id ? { ...d, label: label.replace(id, `${name} (${id})`) } : d
  })
  const base = (config.options ?? {}) as Record<string, unknown>
  const plugins = { ...((base.plugins as Record<string, unknown> | undefined) ?? {}) }
  const legend = (plugins.legend as { labels?: Record<string, unknown> } | undefined) ?? {}
  plugins.title = {
    display: true,
    text: options.title,
    color: options.foreground,
    font: { size: 16, weight: 'bold' },
    padding: { top: 6, bottom: 10 },
  }
  plugins.legend = {
    ...legend,
    display: datasets.some((d) => !SECONDARY.test(d.label ?? '')),
    position: 'bottom',
    labels: {
      ...(legend.labels ?? {}),
      color: options.foreground,
      filter: (item: LegendItem) => !SECONDARY.test(item.text),
    },
  }
  // Zoom handlers and tooltips mean nothing on a still picture.
  delete plugins.zoom
  plugins.tooltip = { enabled: false }
  return {
    ...config,
    data: { ...config.data, datasets },
    options: {
      ...base,
      plugins,
      responsive: false,
      maintainAspectRatio: false,
      animation: false,
      devicePixelRatio: EXPORT_SCALE,
      events: [],
    },
    plugins: [...(config.plugins ?? []), backgroundPlugin(options.background)],
  } as ChartConfiguration
}
