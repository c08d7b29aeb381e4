/**
 * What a checkpoint may be continued with. A resumed run is the same run going on, so it may change only
 * what leaves the weights' meaning and the steps already taken alone (how long it runs, where, how often it
 * reports, which file holds its teacher); a branch is a new run from the parent's weights and may change
 * anything but BRANCH_MUST_KEEP. The service checks a branch first, naming the field; the engine checks the
 * checkpoint it is handed against these same rules.
 */
import { BRANCH_MUST_KEEP, RESUMABLE_FIELDS, TEACHER_RESUMABLE_FIELDS } from './fields'

/** Distillation config fields a resumed run may change (the registry's `resumable`); any other difference is refused. */
export const RESUME_MAY_CHANGE = RESUMABLE_FIELDS

/** Teacher config fields a resumed teacher run may change (the teacher registry's `resumable`). */
export const TEACHER_RESUME_MAY_CHANGE = TEACHER_RESUMABLE_FIELDS

/** Top-level keys whose values differ (compared as JSON; a key on one side only differs). */
export function changedKeys(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...keys].filter(
    (k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((b as Record<string, unknown>)[k]),
  )
}

/**
 * The fields of `config` a distillation may not change from its checkpoint's `saved` config, and the rule
 * they break (for the message); null when it may go on.
 */
export function refusedDistillChanges(
  saved: object,
  config: object,
  branch: boolean,
): { fields: string[]; rule: string } | null {
  const keep: ReadonlySet<string> = new Set(BRANCH_MUST_KEEP)
  const mayChange: ReadonlySet<string> = new Set(RESUME_MAY_CHANGE)
  const fields = changedKeys(saved, config).filter((f) => (branch ? keep.has(f) : !mayChange.has(f)))
  if (fields.length === 0) return null
  const rule = branch
    ? `a branch must keep ${BRANCH_MUST_KEEP.join(', ')}`
    : `a resumed run may change only ${RESUME_MAY_CHANGE.join(', ')}`
  return { fields, rule }
}

/** The fields of `config` a resumed teacher run may not change from its checkpoint's `saved` config. */
export function refusedTeacherChanges(saved: object, config: object): string[] {
  const mayChange: ReadonlySet<string> = new Set(TEACHER_RESUME_MAY_CHANGE)
  return changedKeys(saved, config).filter((f) => !mayChange.has(f))
}
