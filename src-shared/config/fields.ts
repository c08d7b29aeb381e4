/**
 * The choices a run can take (choices.ts) and the field lists read from the registry (distill-fields.ts):
 * which fields a branch keeps, a sweep may list, a resume may change.
 */
import { DISTILL_FIELDS, type DistillField } from './distill-fields'
import { TEACHER_FIELDS, type TeacherField } from './teacher-fields'

export * from './choices'

/**
 * Distillation config fields a branch must keep: they define what the parent checkpoint's weights mean (the
 * teacher they were distilled from, the data, the algorithm and its grid and boundary scaling).
 */
export const BRANCH_MUST_KEEP: readonly DistillField[] = DISTILL_FIELDS.filter((f) => !f.branchable).map((f) => f.key)

/** Numeric distillation fields a sweep may list several values of (the CLI's comma lists, the sweep builder). */
export const SWEEPABLE_FIELDS: readonly DistillField[] = DISTILL_FIELDS.filter((f) => f.sweepable).map((f) => f.key)
export type SweepableField = DistillField

/** Distillation config fields a resumed run may change (the rest must match its checkpoint's). */
export const RESUMABLE_FIELDS: readonly DistillField[] = DISTILL_FIELDS.filter((f) => f.resumable).map((f) => f.key)

/** Teacher config fields a resumed teacher run may change. */
export const TEACHER_RESUMABLE_FIELDS: readonly TeacherField[] = TEACHER_FIELDS.filter((f) => f.resumable).map(
  (f) => f.key,
)

/** The most runs one sweep may queue: a grid beyond it is refused before a single point is built. */
export const MAX_SWEEP_POINTS = 1000
