import { fillDistillFieldsAdded } from './007-distill-fields-added'
import type { Migration } from './types'

/** Stored distillation configs gain topPairShare: 0, the uniform draw of n they ran with. */
export const migration008: Migration = {
  version: 8,
  name: 'top-pair-share',
  up(db) {
    fillDistillFieldsAdded(db, ['topPairShare'])
  },
}
