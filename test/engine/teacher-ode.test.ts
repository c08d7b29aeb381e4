import { beforeAll, describe, expect, it } from 'vitest'
import { samplerSteps } from '@shared/cd/schedule'
import { Rng } from '@shared/rng'
import { denoise, makeLevels, uniformSteps } from '../../src-main/engine/denoiser'
import { teacherSample } from '../../src-main/engine/samplers'
import {
  evaluationsPerStep,
  odeStep,
  perExampleHop,
  sharedHop,
  teacherOdeStep,
} from '../../src-main/engine/teacher-ode'
import { tf, type Tensor2D } from '../../src-main/engine/tf'
import { randomTeacher, useCpu } from '../helpers/engine'

beforeAll(useCpu)

describe('one teacher ODE step for training targets and samplers', () => {
  it.each(['ddim', 'heun'] as const)(
    '#16.3 %s: the teacher sampler is the shared step over its hops, then the denoiser to sigma 0, bit for bit, at its NFE',
    async (solver) => {
      const teacher = randomTeacher()
      const { schedule, architecture } = teacher
      const n = 12
      const K = 5
      const z = Rng.fromSeed(11).normals(n * 2)
      // Chunks of 5 rows: each row's result must not depend on the chunk it went through.
      const sample = await teacherSample(teacher.weights, { ...architecture, sampleChunk: 5 }, schedule, z, K, solver)
      const steps = samplerSteps(schedule.numSteps, K)
      const stepped = tf.tidy(() => {
        let x = tf.mul(tf.tensor2d(z, [n, 2]), schedule.sigma[schedule.numSteps - 1] as number) as Tensor2D
        for (let i = 0; i + 1 < steps.length; i++)
          x = odeStep(
            teacher.weights.net(),
            x,
            sharedHop(schedule, n, steps[i] as number, steps[i + 1] as number, architecture.timeEmbeddingDim),
            solver,
          )
        const last = makeLevels(schedule, uniformSteps(n, steps[K - 1] as number), architecture.timeEmbeddingDim)
        return denoise(teacher.weights.net(), x, last).dataSync()
      })
      expect(steps).toHaveLength(K)
      expect(Array.from(sample.points)).toEqual(Array.from(stepped))
      // The last hop, to sigma 0, is Euler for both solvers.
      expect(sample.nfe).toBe((K - 1) * evaluationsPerStep(solver) + 1)
      teacher.weights.dispose()
    },
  )

  it.each(['ddim', 'heun'] as const)(
    "#16.3 %s: a training target's step over the sampler's hops lands where the sampler does (to float32 rounding of the sigma gap)",
    async (solver) => {
      const teacher = randomTeacher()
      const { schedule, architecture } = teacher
      const n = 8
      const K = 4
      const z = Rng.fromSeed(12).normals(n * 2)
      const sample = await teacherSample(teacher.weights, architecture, schedule, z, K, solver)
      const steps = samplerSteps(schedule.numSteps, K)
      const viaTargets = tf.tidy(() => {
        let x = tf.mul(tf.tensor2d(z, [n, 2]), schedule.sigma[schedule.numSteps - 1] as number) as Tensor2D
        const levels = (step: number) => makeLevels(schedule, uniformSteps(n, step), architecture.timeEmbeddingDim)
        for (let i = 0; i + 1 < steps.length; i++) {
          x = teacherOdeStep(teacher, x, levels(steps[i] as number), levels(steps[i + 1] as number), solver)
        }
        return denoise(teacher.weights.net(), x, levels(steps[K - 1] as number)).dataSync()
      })
      Array.from(sample.points).forEach((v, i) => expect(v).toBeCloseTo(viaTargets[i] as number, 3))
      teacher.weights.dispose()
    },
  )

  it('#16.3 a per-example hop takes each row over its own sigma gap; the step leaks no tensors', async () => {
    const teacher = randomTeacher()
    const { schedule, architecture } = teacher
    const dim = architecture.timeEmbeddingDim
    const x = Rng.fromSeed(13)
      .normals(4)
      .map((v) => v * 10)
    const before = tf.memory().numTensors
    const [mixed, first, second] = tf.tidy(() => {
      const step = (hi: number[], lo: number[], rows: Float32Array) =>
        odeStep(
          teacher.weights.net(),
          tf.tensor2d(rows, [hi.length, 2]),
          perExampleHop(makeLevels(schedule, Int32Array.from(hi), dim), makeLevels(schedule, Int32Array.from(lo), dim)),
          'heun',
        ).dataSync()
      return [step([700, 300], [600, 100], x), step([700], [600], x.subarray(0, 2)), step([300], [100], x.subarray(2))]
    })
    expect(Array.from(mixed)).toEqual([...Array.from(first), ...Array.from(second)])
    expect(tf.memory().numTensors).toBe(before)
    teacher.weights.dispose()
  })
})
