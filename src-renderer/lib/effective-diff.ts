/**
 * The Compare view over what the runs trained with: the config diff, the legend labels and the
 * hyperparameter axis read each run's effective config (iCT's mu 0 whatever it asked), so runs that
 * trained alike do not look different and the scatter places a run at the value it used. A diff cell
 * shows the asked value beside the effective one where the run asked another: `0 (asked 0.95)`. A row is
 * labelled with its field's label in the registry (the distillation's or, for teacher runs, the teacher's).
 */
import { DISTILL_FIELDS } from '@shared/config/distill-fields'
import { specsByKey } from '@shared/config/registry'
import { TEACHER_FIELDS } from '@shared/config/teacher-fields'
import { diffConfigs, formatValue, numericFields, shortLabels, type DiffRow } from './config-diff'
import { askedInstead, effectiveConfigOf, type ConfigRow } from './run-config-values'

export { effectiveConfigOf }

/** A diff row with the field's label as the registry has it. */
export interface LabelledDiffRow extends DiffRow {
  label: string
}

const DISTILL_SPECS = specsByKey(DISTILL_FIELDS)
const TEACHER_SPECS = specsByKey(TEACHER_FIELDS)

/**
 * The label of a config field for runs of these kinds: the distillation registry's unless every run is a
 * teacher run; a field neither registry knows (a record from another version) shows its key.
 */
export function configFieldLabel(field: string, kinds: readonly string[] = ['distill']): string {
  const teacherOnly = kinds.length > 0 && kinds.every((k) => k === 'teacher')
  const first = teacherOnly ? TEACHER_SPECS : DISTILL_SPECS
  const second = teacherOnly ? DISTILL_SPECS : TEACHER_SPECS
  return (first.get(field) ?? second.get(field))?.label ?? field
}

/** One row per field of the effective configs; rows differ where the runs trained differently. */
export function diffEffectiveConfigs(runs: readonly ConfigRow[]): LabelledDiffRow[] {
  const kinds = runs.map((r) => r.kind)
  return diffConfigs(runs.map(effectiveConfigOf)).map((row) => ({
    ...row,
    label: configFieldLabel(row.field, kinds),
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
