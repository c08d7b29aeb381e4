/**
 * The Live view's precision curve (#17): the k-NN precision of the preview samples by step, beside the SWD
 * curve. SWD mostly sees the marginals; a student that fills the gaps between the data's modes keeps a good
 * SWD while its precision falls, so both are shown. 2D runs only (image previews are too few samples).
 */
import type { ChartConfiguration } from 'chart.js'
import { buildCurveConfig, type Curve } from './loss-curve'
import { runColor, type ChartTheme } from './theme'

type PrecisionKey = 'prec/nfe1' | 'prec/nfe2' | 'prec/nfe20'

/** The chart, or null when the run logged no precision (image runs, runs recorded before #17). */
export function livePrecisionConfig(
  quality: Readonly<Record<PrecisionKey, Curve>>,
  kind: string,
  theme: ChartTheme,
): ChartConfiguration | null {
  const series =
    kind === 'teacher'
      ? [{ label: 'precision, teacher 20 steps', curve: quality['prec/nfe20'], color: runColor(2) }]
      : [
          { label: 'precision, 1 step', curve: quality['prec/nfe1'], color: runColor(0) },
          { label: 'precision, 2 steps', curve: quality['prec/nfe2'], color: runColor(1) },
        ]
  const shown = series.filter((s) => s.curve.line.length > 0)
  if (shown.length === 0) return null
  return buildCurveConfig({ series: shown, yTitle: 'precision (higher is better)', theme })
}
