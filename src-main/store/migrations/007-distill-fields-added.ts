import type { Database } from 'better-sqlite3'
import { DISTILL_FIELDS_ADDED } from '@shared/config/stored'
import type { Migration } from './types'

/**
 * Writes `fields` into every stored distillation config that lacks them, with the values those runs ran
 * with. Each migration names its own fields, so what it does stays fixed as DISTILL_FIELDS_ADDED grows.
 */
export function fillDistillFieldsAdded(db: Database, fields: readonly (keyof typeof DISTILL_FIELDS_ADDED)[]): void {
  const update = db.prepare(
    `UPDATE runs SET config_json = json_set(config_json, ?, json(?)) WHERE kind = 'distill' AND json_type(config_json, ?) IS NULL`,
  )
  for (const field of fields) update.run(`$.${field}`, JSON.stringify(DISTILL_FIELDS_ADDED[field]), `$.${field}`)
}

/** Stored distillation configs gain teacherSubsteps: 1, one teacher step per hop as they ran. */
export const migration007: Migration = {
  version: 7,
  name: 'distill-fields-added',
  up(db) {
    fillDistillFieldsAdded(db, ['teacherSubsteps'])
  },
}
