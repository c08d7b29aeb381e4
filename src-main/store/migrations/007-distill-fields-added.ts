import { DISTILL_FIELDS_ADDED } from '@shared/config/stored'
import type { Migration } from './types'

/** Stored distillation configs gain the fields added since, with the values those runs ran with. */
export const migration007: Migration = {
  version: 7,
  name: 'distill-fields-added',
  up(db) {
    const update = db.prepare(`UPDATE runs SET config_json = json_set(config_json, ?, json(?)) WHERE kind = 'distill' AND json_type(config_json, ?) IS NULL`)
    for (const [field, value] of Object.entries(DISTILL_FIELDS_ADDED)) update.run(`$.${field}`, JSON.stringify(value), `$.${field}`)
  },
}
