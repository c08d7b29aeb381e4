import type { Migration } from './types'

/**
 * A distillation records the teacher step its grid tops out at (@shared/config/effective's gridTop), fixed at
 * launch from its teacher's schedule: the stored config alone cannot say it, the teacher file can change or
 * go. Runs stored before, teacher runs and runs imported without it have NULL (shown as not recorded).
 */
export const migration013: Migration = {
  version: 13,
  name: 'grid-top',
  up(db) {
    db.exec(`ALTER TABLE runs ADD COLUMN grid_top INTEGER CHECK (grid_top IS NULL OR grid_top >= 1);`)
  },
}
