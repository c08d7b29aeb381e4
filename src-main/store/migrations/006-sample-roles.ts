import { PREVIEW_NOISE_SEED } from '@shared/store/types'
import type { Migration } from './types'

/**
 * Samples say what they are for (`role`: preview or final) instead of leaving readers to tell by the noise
 * seed. Older rows: 2D previews were points2d blobs; image previews were PNGs from the preview noise.
 */
export const migration006: Migration = {
  version: 6,
  name: 'sample-roles',
  up(db) {
    db.exec(`ALTER TABLE samples ADD COLUMN role TEXT NOT NULL DEFAULT 'final' CHECK (role IN ('preview', 'final'))`)
    db.prepare(`UPDATE samples SET role = 'preview' WHERE kind = 'points2d' OR (kind = 'png' AND noise_seed = ?)`).run(
      PREVIEW_NOISE_SEED,
    )
  },
}
