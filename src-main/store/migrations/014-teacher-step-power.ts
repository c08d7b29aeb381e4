import type { Migration } from './types'

/**
 * Stored teacher configs gain the step sampling power with the value those runs trained with: 1, DDPM's
 * uniform draw of the noise step.
 */
export const migration014: Migration = {
  version: 14,
  name: 'teacher-step-power',
  up(db) {
    db.prepare(
      `UPDATE runs SET config_json = json_set(config_json, '$.stepPower', 1) WHERE kind = 'teacher' AND json_type(config_json, '$.stepPower') IS NULL`,
    ).run()
  },
}
