import { TEACHER_FIELDS_ADDED } from '@shared/config/stored'
import type { Migration } from './types'

/**
 * Stored teacher configs gain issue 17's recipe fields with the values those runs trained with: no Fourier
 * features, no weight EMA, 200 warm-up steps (the highest frequency is moot without features). Named here,
 * not read from TEACHER_FIELDS_ADDED's keys, so what this migration does stays fixed as that list grows.
 */
const FIELDS = ['fourierFeatures', 'fourierMaxFrequency', 'ema', 'warmupSteps'] as const

export const migration011: Migration = {
  version: 11,
  name: 'teacher-fields-added',
  up(db) {
    const update = db.prepare(
      `UPDATE runs SET config_json = json_set(config_json, ?, json(?)) WHERE kind = 'teacher' AND json_type(config_json, ?) IS NULL`,
    )
    for (const field of FIELDS) update.run(`$.${field}`, JSON.stringify(TEACHER_FIELDS_ADDED[field]), `$.${field}`)
  },
}
