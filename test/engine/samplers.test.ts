import { beforeAll, describe, expect, it } from 'vitest'
import { Rng } from '@shared/rng'
import { dataSource2D } from '../../src-main/engine/data-source'
import { boundaryScaling, consistency, epsilon, makeLevels, uniformSteps } from '../../src-main/engine/denoiser'
import { evaluateStudent, evaluationNoise, teacherReference } from '../../src-main/engine/evaluate'
import { consistencySample, teacherSample } from '../../src-main/engine/samplers'
import { tf, type Tensor2D } from '../../src-main/engine/tf'
import { randomTeacher, useCpu } from '../helpers/engine'

beforeAll(useCpu)

describe('samplers', () => {
  it('teacher DDIM with K = 1 is one Euler step from sigmaMax * z to sigma 0 (the denoiser at the top)', async () => {
    const teacher = randomTeacher()
    const { schedule, architecture: spec } = teacher
    const n = 16
    const z = Rng.fromSeed(1).normals(n * 2)
    const T = schedule.numSteps
    const sample = await teacherSample(teacher.weights, spec, schedule, z, 1, 'ddim')
    expect(sample.nfe).toBe(1)
    const expected = tf.tidy(() => {
      const x = tf.mul(tf.tensor2d(z, [n, 2]), schedule.sigma[T - 1] as number) as Tensor2D
      const levels = makeLevels(schedule, uniformSteps(n, T - 1), spec.timeEmbeddingDim)
      return tf.sub(x, tf.mul(epsilon(teacher.weights.net(), x, levels), schedule.sigma[T - 1] as number)).dataSync()
    })
    Array.from(sample.points).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 3))
    // Heun: two evaluations per hop but the last, to sigma 0, which has no slope at its end (EDM's rule).
    expect((await teacherSample(teacher.weights, spec, schedule, z, 3, 'heun')).nfe).toBe(5)
    const heunOne = await teacherSample(teacher.weights, spec, schedule, z, 1, 'heun')
    expect(heunOne.nfe).toBe(1)
    expect(Array.from(heunOne.points)).toEqual(Array.from(sample.points))
  })

  it('one-step consistency sampling is f(sigmaMax z, k_max); extra steps re-noise with sqrt(tau^2 - sigmaMin^2)', async () => {
    const teacher = randomTeacher()
    const { schedule, architecture: spec } = teacher
    const n = 8
    const z = Rng.fromSeed(2).normals(n * 2)
    const zPrime = Rng.fromSeed(3).normals(n * 2)
    const T = schedule.numSteps
    const sigmaMin = schedule.sigma[0] as number
    const one = await consistencySample(teacher.weights, spec, schedule, z, [], [], 0.5, true, T - 1)
    const two = await consistencySample(teacher.weights, spec, schedule, z, [zPrime], [400], 0.5, true, T - 1)
    // A grid capped below the teacher's last step (sigmaMax) starts there, from the same z.
    const capped = await consistencySample(teacher.weights, spec, schedule, z, [], [], 0.5, true, 800)
    expect([one.nfe, two.nfe, capped.nfe]).toEqual([1, 2, 1])
    const [e1, e2, eCapped] = tf.tidy(() => {
      const f = (x: Tensor2D, k: number) => {
        const levels = makeLevels(schedule, uniformSteps(n, k), spec.timeEmbeddingDim)
        return consistency(teacher.weights.net(), x, levels, boundaryScaling(levels, sigmaMin, 0.5))
      }
      const x1 = f(tf.mul(tf.tensor2d(z, [n, 2]), schedule.sigma[T - 1] as number) as Tensor2D, T - 1)
      const s = schedule.sigma[400] as number
      const x2 = f(
        tf.add(x1, tf.mul(tf.tensor2d(zPrime, [n, 2]), Math.sqrt(s * s - sigmaMin * sigmaMin))) as Tensor2D,
        400,
      )
      const xCapped = f(tf.mul(tf.tensor2d(z, [n, 2]), schedule.sigma[800] as number) as Tensor2D, 800)
      return [x1.dataSync(), x2.dataSync(), xCapped.dataSync()]
    })
    Array.from(one.points).forEach((v, i) => expect(v).toBeCloseTo(e1[i] as number, 5))
    Array.from(capped.points).forEach((v, i) => expect(v).toBeCloseTo(eCapped[i] as number, 5))
    expect(Math.abs((capped.points[0] as number) - (one.points[0] as number))).toBeGreaterThan(1e-4)
    Array.from(two.points).forEach((v, i) => expect(v).toBeCloseTo(e2[i] as number, 5))
  })

  it('sampling and evaluation leak no tensors', async () => {
    const teacher = randomTeacher()
    const noise = evaluationNoise(0, 64, 2, 2)
    const before = tf.memory().numTensors
    const reference = await teacherReference(teacher, dataSource2D('moons'), 0, noise, 'heun')
    const result = await evaluateStudent(
      teacher.weights,
      teacher,
      reference,
      noise,
      [0.8, 0.4],
      0.5,
      true,
      [0, 500, 999],
    )
    // The one-step sample starts at the top of the trained grid.
    const capped = await evaluateStudent(teacher.weights, teacher, reference, noise, [], 0.5, true, [0, 400, 800])
    const expectedCapped = await consistencySample(
      teacher.weights,
      teacher.architecture,
      teacher.schedule,
      noise.noise,
      [],
      [],
      0.5,
      true,
      800,
    )
    expect(Array.from(capped.samples.get(1) as Float32Array)).toEqual(Array.from(expectedCapped.points))
    expect(tf.memory().numTensors).toBe(before)
    expect(result.rows.map((r) => r.nfe)).toEqual([1, 2, 3])
    expect(reference.rows.map((r) => `${r.model}${r.nfe}`)).toEqual(['data0', 'teacher1', 'teacher19', 'teacher199'])
    expect(result.agreement).toBeGreaterThan(0)
    // Agreement at every NFE: the one-step row is the summary figure; the teacher's K = 100 agrees with itself.
    expect(result.rows[0]?.agreement).toBe(result.agreement)
    expect(result.rows.every((r) => Number.isFinite(r.agreement))).toBe(true)
    expect(reference.rows.map((r) => r.agreement)).toEqual([undefined, expect.any(Number), expect.any(Number), 0])
    expect(reference.rows[1]?.agreement).toBeGreaterThan(0)
  })

  it('evaluation noise is a pure function of the seed', async () => {
    const a = evaluationNoise(5, 10, 2, 1)
    const b = evaluationNoise(5, 10, 2, 1)
    expect(Array.from(a.noise)).toEqual(Array.from(b.noise))
    expect(Array.from(a.renoise[0] as Float32Array)).toEqual(Array.from(b.renoise[0] as Float32Array))
    expect(Array.from(evaluationNoise(6, 10, 2, 1).noise)).not.toEqual(Array.from(a.noise))
  })
})
