import type { Migration } from './types'

/**
 * Samples say which network drew them (`model`: student, teacher, data) apart from their format (`kind`:
 * points2d blob, csv2d file, png). Before this, `kind` held the model and every sample was a CSV file.
 */
export const migration004: Migration = {
  version: 4,
  name: 'sample-models',
  up(db) {
    db.exec(`
      ALTER TABLE samples ADD COLUMN model TEXT NOT NULL DEFAULT 'student';
      UPDATE samples SET model = kind, kind = 'csv2d' WHERE kind IN ('student', 'teacher', 'data');
    `)
  },
}
