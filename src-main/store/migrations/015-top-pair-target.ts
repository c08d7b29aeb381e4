import { fillDistillFieldsAdded } from './007-distill-fields-added'
import type { Migration } from './types'

/** Stored distillation configs gain topPairTarget: 'next-level', the target network they trained against. */
export const migration015: Migration = {
  version: 15,
  name: 'top-pair-target',
  up(db) {
    fillDistillFieldsAdded(db, ['topPairTarget'])
  },
}
