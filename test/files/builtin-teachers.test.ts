import { statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DATASETS_2D } from '@shared/data/datasets2d'
import { TEACHER_DEFAULTS } from '@shared/config/defaults'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { BUILTIN_TEACHER_RECIPES, BUILTIN_TEACHER_SEED } from '@shared/config/builtin-teachers'
import { builtinTeacherPath, readTeacherFile } from '../../src-main/files/teachers'

describe('built-in teachers', () => {
  it('are the default teacher', () => {
    expect(DISTILL_DEFAULTS.teacher).toBe('builtin')
  })

  it.each(DATASETS_2D)(
    '%s: ships a small weights-only teacher made with the default config and its recipe',
    (dataset) => {
      const file = readTeacherFile('builtin', dataset)
      expect(file.path).toBe(builtinTeacherPath(dataset))
      const { config, rng, adamStep } = file.snapshot.header
      expect(config.dataset).toBe(dataset)
      // #17 The default teacher config with the dataset's recipe (what `npm run make-teachers` makes).
      expect({ ...config, backend: TEACHER_DEFAULTS.backend }).toEqual({
        ...TEACHER_DEFAULTS,
        dataset,
        ...BUILTIN_TEACHER_RECIPES[dataset],
        seed: BUILTIN_TEACHER_SEED,
      })
      expect(rng).toBeNull()
      expect(adamStep).toBeNull()
      expect(Object.keys(file.snapshot.arrays).every((k) => k.startsWith('teacher/'))).toBe(true)
      expect(statSync(file.path).size).toBeLessThan(1_000_000)
    },
  )
})
