/**
 * #16 the branch form shows every distillation field: the ones a branch may edit (BRANCHABLE_KEYS) and the
 * ones it keeps (BRANCH_MUST_KEEP), both read from the registry's branchable flag, so they split it exactly.
 */
import { describe, expect, it } from 'vitest'
import { DISTILL_FIELDS } from '@shared/config/distill-fields'
import { BRANCH_MUST_KEEP } from '@shared/config/fields'
import { BRANCHABLE_KEYS } from '../../../src-renderer/lib/form-fields'

describe('#16 branch form fields', () => {
  it('#16 branchable and kept fields split the registry with no field in both and none left out', () => {
    const shown = [...BRANCHABLE_KEYS, ...BRANCH_MUST_KEEP]
    expect(new Set(shown).size).toBe(shown.length)
    expect([...shown].sort()).toEqual(DISTILL_FIELDS.map((f) => f.key).sort())
    expect(BRANCH_MUST_KEEP).toEqual(DISTILL_FIELDS.filter((f) => !f.branchable).map((f) => f.key))
  })
})
