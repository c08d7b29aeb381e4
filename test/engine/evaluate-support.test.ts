/**
 * #17: every evaluation row (data floor, teacher K = 1, 10, 100, student at each NFE) carries precision,
 * recall, density and coverage, in data space for 2D and in the feature space when one is given (images).
 */
import { SUPPORT_METRICS } from '@shared/cd/evaluation'
import { offSupportShare, supportMetrics } from '@shared/cd/support-metrics'
import { beforeAll, describe, expect, it } from 'vitest'
import { dataSource2D } from '../../src-main/engine/data-source'
import { evaluateStudent, evaluationNoise, teacherReference, type EvalRow } from '../../src-main/engine/evaluate'
import type { FeatureSpace } from '../../src-main/engine/feature-space'
import { featureStatistics } from '../../src-main/engine/frechet'
import { tf } from '../../src-main/engine/tf'
import { randomTeacher, useCpu } from '../helpers/engine'

beforeAll(useCpu)

const N = 300
const SEED = 3

/** A stand-in for the classifier's features on 2D points: 3 columns, not the data space itself. */
function polyFeatures(points: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * 3)
  for (let i = 0; i < n; i++) {
    const x = points[2 * i] as number
    const y = points[2 * i + 1] as number
    out.set([x + y, x * y, y * y], 3 * i)
  }
  return out
}
const polySpace: FeatureSpace = {
  dim: 3,
  features: async (points, n) => polyFeatures(points, n),
  statistics: async (points, n) => featureStatistics(polyFeatures(points, n), n, 3),
}

async function evaluate(features?: FeatureSpace) {
  const teacher = randomTeacher()
  const data = dataSource2D('moons')
  const noise = evaluationNoise(SEED, N, 2, 2)
  const before = tf.memory().numTensors
  const reference = await teacherReference(teacher, data, SEED, noise, 'ddim', undefined, features)
  const student = await evaluateStudent(
    teacher.weights,
    teacher,
    reference,
    noise,
    [0.8, 0.4],
    0.5,
    true,
    [0, 500, 999],
  )
  expect(tf.memory().numTensors).toBe(before)
  return { reference, student, heldOut: data.heldOut(N, SEED), floor: data.floor(N, SEED) }
}

const label = (r: EvalRow) => `${r.model}${r.nfe}`

describe('#17 evaluation support metrics', () => {
  it('#17 2D: every model and NFE and the data floor carry precision, recall, density, coverage and off-support', async () => {
    const { reference, student, heldOut, floor } = await evaluate()
    const rows = [...reference.rows, ...student.rows]
    expect(rows.map(label)).toEqual([
      'data0',
      'teacher1',
      'teacher10',
      'teacher100',
      'student1',
      'student2',
      'student3',
    ])
    for (const row of rows) {
      for (const metric of SUPPORT_METRICS) expect(row[metric], `${label(row)} ${metric}`).toBeGreaterThanOrEqual(0)
      for (const metric of ['precision', 'recall', 'coverage', 'offSupport'] as const)
        expect(row[metric], `${label(row)} ${metric}`).toBeLessThanOrEqual(1)
    }
    // The floor is held-out data against a second draw of data, scored in data space.
    const floorRow = rows[0] as EvalRow
    expect(floorRow).toMatchObject(supportMetrics(heldOut, floor, 2))
    expect(floorRow.offSupport).toBe(offSupportShare(heldOut, floor))
    expect(floorRow.precision).toBeGreaterThan(0.9)
    // Student rows score the student's own samples.
    const oneStep = student.rows[0] as EvalRow
    expect(oneStep).toMatchObject(supportMetrics(heldOut, student.samples.get(1) as Float32Array, 2))
    // A random teacher does not reproduce moons: its precision is well under the floor's.
    expect(reference.rows[3]?.precision).toBeLessThan((floorRow.precision as number) - 0.2)
  })

  it('#17 with a feature space (images), the metrics are taken in its features, with no 2D off-support share', async () => {
    const { reference, student, heldOut, floor } = await evaluate(polySpace)
    const rows = [...reference.rows, ...student.rows]
    for (const row of rows) {
      expect(row.fd, label(row)).toBeGreaterThanOrEqual(0)
      expect(row.precision, label(row)).toBeGreaterThanOrEqual(0)
      expect(row.offSupport, label(row)).toBeUndefined()
    }
    expect(rows[0]).toMatchObject(supportMetrics(polyFeatures(heldOut, N), polyFeatures(floor, N), 3))
    const twoStep = student.rows[1] as EvalRow
    expect(twoStep).toMatchObject(supportMetrics(polyFeatures(heldOut, N), polyFeatures(student.samples.get(2)!, N), 3))
  })
})
