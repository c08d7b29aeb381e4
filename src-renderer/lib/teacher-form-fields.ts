/**
 * The teacher form's fields, read from the field registry (@shared/config/teacher-fields.ts). The model is
 * not among them: it follows the dataset.
 */
import type { ModelKind } from '@shared/config/choices'
import { TEACHER_FIELDS, type TeacherField } from '@shared/config/teacher-fields'
import type { FieldSpec } from '@shared/config/registry'

export type { TeacherField }

export interface TeacherFormField {
  key: TeacherField
  label: string
  help: string
  /** `select` fields offer `options`; `int-list` is comma-separated integers; the others are numbers typed as text. */
  type: 'select' | 'int' | 'float' | 'int-list'
  options?: readonly string[]
  /** Shown under "More settings". */
  advanced?: boolean
  /** The networks the field configures (absent: every one). 2D datasets train the MLP, image datasets the U-Net. */
  models?: readonly ModelKind[]
  /** The schema's bounds (of each entry, for a list). */
  min?: number
  max?: number
}

function formFieldOf(spec: FieldSpec<TeacherField>): TeacherFormField {
  const type = spec.kind === 'select' || spec.kind === 'int' || spec.kind === 'int-list' ? spec.kind : 'float'
  return {
    key: spec.key,
    label: spec.label,
    help: spec.help,
    type,
    ...(spec.options ? { options: spec.options } : {}),
    ...(spec.advanced ? { advanced: true } : {}),
    ...(spec.models ? { models: spec.models } : {}),
    ...(spec.bounds
      ? { min: spec.bounds.min, ...(spec.bounds.max !== undefined ? { max: spec.bounds.max } : {}) }
      : {}),
  }
}

export const TEACHER_FORM_FIELDS: readonly TeacherFormField[] = TEACHER_FIELDS.filter((f) => !f.noForm).map(formFieldOf)
