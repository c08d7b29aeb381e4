/**
 * "Ignore outliers" for any line chart config, as W&B's chart option: the y axis is set to the 5-95%
 * quantiles of the plotted values (robustYRange), so one run that blew up no longer flattens the others;
 * its curve leaves the plot at the top. Works on the built config, so every curve builder gets it alike.
 */
import type { ChartConfiguration } from 'chart.js'
import { robustYRange, type XY } from '@shared/robust-range'

type LineConfig = ChartConfiguration<'line', XY[]>

/** The config with its y range clipped to the plotted values' robust quantiles (unchanged when there are too few). */
export function ignoreOutliers(config: LineConfig): LineConfig {
  const y = config.options?.scales?.y
  const log = y?.type === 'logarithmic'
  const values: number[] = []
  for (const d of config.data.datasets) for (const p of d.data) if (Number.isFinite(p.y)) values.push(p.y)
  const range = robustYRange(values, log)
  if (!range) return config
  return {
    ...config,
    options: { ...config.options, scales: { ...config.options?.scales, y: { ...y, min: range.min, max: range.max } } },
  }
}
