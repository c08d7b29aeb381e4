/**
 * The Compare view over what the runs trained with: the config diff, the legend labels and the
 * hyperparameter axis read each run's effective config (iCT's mu 0 whatever it asked), so runs that
 * trained alike do not look different and the scatter places a run at the value it used. A diff cell
 * shows the asked value beside the effective one where the run asked another: `0 (asked 0.95)`.
 */
import { diffConfigs, formatValue, numericFields, shortLabels, type DiffRow } from './config-diff'
import { askedInstead, effectiveConfigOf, type ConfigRow } from './run-config-values'

export { effectiveConfigOf }

/** One row per field of the effective configs; rows differ where the runs trained differently. */
export function diffEffectiveConfigs(runs: readonly ConfigRow[]): DiffRow[] {
  return diffConfigs(runs.map(effectiveConfigOf)).map((row) => ({
    ...row,
    cells: row.cells.map((cell, i) => {
      const instead = askedInstead(runs[i] as ConfigRow, row.field)
      return instead ? `${cell} (asked ${formatValue(instead.asked)})` : cell
    }),
  }))
}

/** Legend labels from the fields the runs trained differently with (see shortLabels). */
export function shortLabelsOf(runs: readonly ConfigRow[]): string[] {
  return shortLabels(runs.map(effectiveConfigOf))
}

/** The numeric fields of the effective configs (the hyperparameter scatter's x choices). */
export function numericFieldsOf(runs: readonly ConfigRow[]): string[] {
  return numericFields(runs.map(effectiveConfigOf))
}
