import { describe, expect, it } from 'vitest'
import { BRANCH_MUST_KEEP } from '@shared/config/fields'
import {
  changedKeys,
  refusedDistillChanges,
  refusedTeacherChanges,
  RESUME_MAY_CHANGE,
} from '@shared/config/resume-rules'

const saved = {
  dataset: 'moons',
  teacher: 'a.ckpt',
  algorithm: 'cd',
  grid: 'karras',
  sigmaData: 0.5,
  steps: 100,
  lr: 1e-4,
  evalEvery: 10,
}

describe('#16.4 resume and branch rules, beside BRANCH_MUST_KEEP', () => {
  it('#16.4 a resumed distillation may change only RESUME_MAY_CHANGE; the refusal names the fields and the rule', () => {
    expect(refusedDistillChanges(saved, { ...saved, steps: 200, evalEvery: 0, teacher: 'b.ckpt' }, false)).toBeNull()
    expect(refusedDistillChanges(saved, { ...saved, lr: 2e-4, grid: 'uniform', steps: 200 }, false)).toEqual({
      fields: ['grid', 'lr'],
      rule: `a resumed run may change only ${RESUME_MAY_CHANGE.join(', ')}`,
    })
  })

  it('#16.4 a branch may change anything but BRANCH_MUST_KEEP', () => {
    expect(refusedDistillChanges(saved, { ...saved, lr: 2e-4, steps: 50 }, true)).toBeNull()
    expect(refusedDistillChanges(saved, { ...saved, sigmaData: 1, dataset: 'rings' }, true)).toEqual({
      fields: ['dataset', 'sigmaData'],
      rule: `a branch must keep ${BRANCH_MUST_KEEP.join(', ')}`,
    })
  })

  it('#16.4 a teacher resumes with other steps or backend only; a key on one side only counts as changed', () => {
    expect(refusedTeacherChanges({ steps: 5, backend: 'cpu', lr: 1 }, { steps: 9, backend: 'auto', lr: 1 })).toEqual([])
    expect(refusedTeacherChanges({ steps: 5, lr: 1 }, { steps: 5, lr: 2, batch: 8 })).toEqual(['lr', 'batch'])
    expect(changedKeys({ a: [1, 2] }, { a: [1, 2] })).toEqual([])
  })
})
