import type { Migration } from './types'

/**
 * Runs carry a verdict beside their status (@shared/cd/verdict): `diverged` for a run that finished with
 * samples far worse than its teacher's or a loss grown by orders of magnitude, with the reason in words.
 * Runs stored before have none (NULL: nothing said they went wrong).
 */
export const migration010: Migration = {
  version: 10,
  name: 'run-verdicts',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN verdict TEXT CHECK (verdict IS NULL OR verdict IN ('diverged'));
      ALTER TABLE runs ADD COLUMN verdict_reason TEXT;
      CREATE INDEX runs_by_verdict ON runs (verdict) WHERE verdict IS NOT NULL;
    `)
  },
}
