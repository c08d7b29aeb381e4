/**
 * The choices a run can take (choices.ts) and the field lists read from the registry (distill-fields.ts):
 * which fields a branch keeps, a sweep may list, a resume may change.
 */
import { DISTILL_FIELDS, type DistillField } from './distill-fields'
import type { FieldSpec } from './registry'
import { TEACHER_FIELDS, type TeacherField } from './teacher-fields'

export * from './choices'

const keysWhere = <K extends string>(specs: readonly FieldSpec<K>[], flag: (spec: FieldSpec<K>) => boolean): K[] =>
  specs.filter(flag).map((f) => f.key)

/** The fields a branch must keep: those not marked branchable. */
export const branchMustKeepOf = <K extends string>(specs: readonly FieldSpec<K>[]): K[] =>
  keysWhere(specs, (f) => !f.branchable)
/** The fields a sweep may list several values of. */
export const sweepableOf = <K extends string>(specs: readonly FieldSpec<K>[]): K[] =>
  keysWhere(specs, (f) => f.sweepable === true)
/** The fields a resumed run may change. */
export const resumableOf = <K extends string>(specs: readonly FieldSpec<K>[]): K[] =>
  keysWhere(specs, (f) => f.resumable === true)

/**
 * Distillation config fields a branch must keep: they define what the parent checkpoint's weights mean (the
 * teacher they were distilled from, the data, the algorithm and its grid and boundary scaling).
 */
export const BRANCH_MUST_KEEP: readonly DistillField[] = branchMustKeepOf(DISTILL_FIELDS)

/** Numeric distillation fields a sweep may list several values of (the CLI's comma lists, the sweep builder). */
export const SWEEPABLE_FIELDS: readonly DistillField[] = sweepableOf(DISTILL_FIELDS)
export type SweepableField = DistillField

/** Distillation config fields a resumed run may change (the rest must match its checkpoint's). */
export const RESUMABLE_FIELDS: readonly DistillField[] = resumableOf(DISTILL_FIELDS)

/** Teacher config fields a resumed teacher run may change. */
export const TEACHER_RESUMABLE_FIELDS: readonly TeacherField[] = resumableOf(TEACHER_FIELDS)

/** The most runs one sweep may queue: a grid beyond it is refused before a single point is built. */
export const MAX_SWEEP_POINTS = 1000
