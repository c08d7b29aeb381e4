import { fillDistillFieldsAdded } from './007-distill-fields-added'
import type { Migration } from './types'

/** Stored distillation configs gain topPairReplay: 0, no replay of the top share's solves. */
export const migration016: Migration = {
  version: 16,
  name: 'top-pair-replay',
  up(db) {
    fillDistillFieldsAdded(db, ['topPairReplay'])
  },
}
