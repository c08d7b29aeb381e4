import type { Migration } from './types'

/**
 * Runs carry a name people read ("cd N6 mu0 lr2e-3"): set when the run is created (derived from its
 * config, @shared/run-name) and editable. Runs stored before have NULL, and get the derived name on read,
 * so their names follow the same rule without rewriting their rows.
 */
export const migration012: Migration = {
  version: 12,
  name: 'run-names',
  up(db) {
    db.exec(`ALTER TABLE runs ADD COLUMN name TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 80);`)
  },
}
