import { DISTILL_FIELDS, type DistillField } from './distill-fields'
import type { FieldSpec } from './registry'
import type { DistillConfig, TeacherConfig } from './schemas'
import { TEACHER_FIELDS, type TeacherField } from './teacher-fields'

/**
 * Fields added to DistillConfig after runs were first stored, each with the value those older runs ran
 * with (not today's default, which may differ): the registry's `legacy` values filled in on reading. A
 * stored run, a checkpoint header or an exported run folder written before a field existed is read with
 * this value, so it still resumes and compares as what it was.
 */
export const DISTILL_FIELDS_ADDED: Readonly<Partial<Record<DistillField, unknown>>> = addedFieldsOf(DISTILL_FIELDS)

/** The fields of a registry filled in on reading older records, with the value those records ran with. */
export function addedFieldsOf<K extends string>(specs: readonly FieldSpec<K>[]): Partial<Record<K, unknown>> {
  return Object.fromEntries(
    specs.flatMap((f) => (f.legacy?.by === 'stored' ? [[f.key, f.legacy.value]] : [])),
  ) as Partial<Record<K, unknown>>
}

export function completeStoredDistillConfig<T extends object>(config: T): T & Partial<DistillConfig> {
  return { ...DISTILL_FIELDS_ADDED, ...config } as T & Partial<DistillConfig>
}

/**
 * The same for TeacherConfig: a teacher run, teacher checkpoint or a distillation checkpoint's teacher
 * written before a field existed (issue 17's recipe) reads with the value it was made with, so its weights
 * still fit its network.
 */
export const TEACHER_FIELDS_ADDED: Readonly<Partial<Record<TeacherField, unknown>>> = addedFieldsOf(TEACHER_FIELDS)

export function completeStoredTeacherConfig<T extends object>(config: T): T & Partial<TeacherConfig> {
  return { ...TEACHER_FIELDS_ADDED, ...config } as T & Partial<TeacherConfig>
}
