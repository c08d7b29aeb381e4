import { fillDistillFieldsAdded } from './007-distill-fields-added'
import type { Migration } from './types'

/** Stored distillation configs gain sigmaMax: null, the grid up to the teacher's last step they ran with. */
export const migration009: Migration = {
  version: 9,
  name: 'sigma-max',
  up(db) {
    fillDistillFieldsAdded(db, ['sigmaMax'])
  },
}
