/**
 * #17 The shipped teachers reproduce their data, judged as the product judges them: DDIM-100 samples against
 * held-out data, k-NN precision and recall and the share off the data's support. The teachers before issue 17
 * fail these bounds (checkerboard: a filled square, precision 0.65, 31 % off-support; moons 0.82 and 15 %);
 * the shipped ones measured 0.973 to 0.991 precision, 0.964 to 0.988 recall and 0.6 to 1.6 % off-support with
 * 4000 samples (TEACHER_DEFAULTS' note), and here, on 2000 samples of fixed noise to keep the test short, at
 * least 0.974 / 0.972 / at most 2.0 % (2026-12-06). The bounds are issue 17's goal itself.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { TEACHER_QUALITY_GOAL } from '@shared/store/teacher-quality'
import { DATASETS_2D } from '@shared/data/datasets2d'
import { selectBackend } from '../../src-main/engine/backend'
import { dataSource2D } from '../../src-main/engine/data-source'
import { evaluationNoise, teacherReference } from '../../src-main/engine/evaluate'
import { loadTeacher } from '../../src-main/files/teachers'

beforeAll(async () => {
  await selectBackend('wasm')
})

describe('#17 built-in teachers reproduce their data', () => {
  it.each(DATASETS_2D)(
    '%s: DDIM-100 precision >= 0.96, recall >= 0.96, at most 3 % of samples off the support',
    async (dataset) => {
      const teacher = loadTeacher('builtin', dataset).model
      expect(teacher.config.fourierFeatures).toBeGreaterThan(0)
      const noise = evaluationNoise(0, 2000, 2, 0)
      const reference = await teacherReference(teacher, dataSource2D(dataset), 0, noise, 'ddim')
      const k100 = reference.rows.find((r) => r.model === 'teacher' && r.nfe === 100)
      expect(k100?.precision).toBeGreaterThanOrEqual(TEACHER_QUALITY_GOAL.precision)
      expect(k100?.recall).toBeGreaterThanOrEqual(TEACHER_QUALITY_GOAL.recall)
      expect(k100?.offSupport).toBeLessThanOrEqual(TEACHER_QUALITY_GOAL.offSupport)
    },
    120_000,
  )
})
