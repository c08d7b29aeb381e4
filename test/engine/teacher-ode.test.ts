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
  teacherOdeSolve,
  teacherOdeStep,
  teacherSolveOf,
} from '../../src-main/engine/teacher-ode'
import { parseDistillConfig } from '@shared/config/validate'
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

  it.each(['ddim', 'heun'] as const)(
    "#17 %s, topPairTarget sigma-min: the top share's rows are solved down every level of the grid to its bottom, hop by hop as each hop's own rows would be; the other rows take their one hop; no tensors leak",
    (solver) => {
      const teacher = randomTeacher()
      const { schedule, architecture } = teacher
      const dim = architecture.timeEmbeddingDim
      const config = parseDistillConfig({
        dataset: 'moons',
        solver,
        teacherSubsteps: 3,
        numScales: 4,
        batch: 4,
        topPairShare: 0.5,
      })
      expect(config.topPairTarget).toBe('sigma-min')
      const solve = teacherSolveOf(config, schedule)
      const levels = solve.downTheGrid?.levels as readonly number[]
      expect(solve.downTheGrid?.rows).toBe(2)
      expect(levels).toHaveLength(4)
      const [bottom, , mid, top] = levels as [number, number, number, number]
      const x = Rng.fromSeed(14)
        .normals(8)
        .map((v) => v * (schedule.sigma[top] as number))
      const steps = (s: number[]) => makeLevels(schedule, Int32Array.from(s), dim)
      const before = tf.memory().numTensors
      const [solved, topRows, restRows] = tf.tidy(() => {
        const all = teacherOdeSolve(
          teacher,
          tf.tensor2d(x, [4, 2]),
          steps([top, top, top, mid]),
          steps([bottom, bottom, mid, levels[1] as number]),
          solve,
        ).dataSync()
        // The same rows hop by hop, each hop in its substeps as an ordinary pair would take it.
        let down = tf.tensor2d(x.subarray(0, 4), [2, 2])
        for (let i = 3; i > 0; i--) {
          const hop = { solver, substeps: 3 }
          down = teacherOdeSolve(
            teacher,
            down,
            steps([levels[i]!, levels[i]!]),
            steps([levels[i - 1]!, levels[i - 1]!]),
            hop,
          )
        }
        const rest = teacherOdeSolve(
          teacher,
          tf.tensor2d(x.subarray(4), [2, 2]),
          steps([top, mid]),
          steps([mid, levels[1]!]),
          {
            solver,
            substeps: 3,
          },
        )
        return [all, down.dataSync(), rest.dataSync()]
      })
      // A shared hop subtracts sigmas in float64, a per-row hop in float32: equal to rounding.
      Array.from(topRows).forEach((v, i) => expect(solved[i]).toBeCloseTo(v, 3))
      expect(Array.from(solved.subarray(4))).toEqual(Array.from(restRows))
      // Down the grid is not one hop: the solve over the whole range in 3 substeps lands elsewhere.
      const oneHop = tf.tidy(() =>
        teacherOdeSolve(teacher, tf.tensor2d(x.subarray(0, 4), [2, 2]), steps([top, top]), steps([bottom, bottom]), {
          solver,
          substeps: 3,
        }).dataSync(),
      )
      expect(Math.max(...Array.from(oneHop, (v, i) => Math.abs(v - (solved[i] as number))))).toBeGreaterThan(1e-3)
      expect(tf.memory().numTensors).toBe(before)
      // Rows that are not the pair (top, bottom) are refused rather than solved as if they were.
      expect(() =>
        tf.tidy(() =>
          teacherOdeSolve(
            teacher,
            tf.tensor2d(x, [4, 2]),
            steps([mid, top, top, mid]),
            steps([bottom, bottom, mid, mid]),
            solve,
          ),
        ),
      ).toThrow(/row 0 of the top share is not the pair/)
      teacher.weights.dispose()
    },
  )

  it('#17 the solve down the grid is only for cd with a top share trained against sigma-min', () => {
    const schedule = randomTeacher().schedule
    const solveOf = (settings: Record<string, unknown>) =>
      teacherSolveOf(parseDistillConfig({ dataset: 'moons', ...settings }), schedule).downTheGrid
    expect(solveOf({})?.rows).toBe(256)
    expect(solveOf({ topPairTarget: 'next-level' })).toBeUndefined()
    expect(solveOf({ topPairShare: 0 })).toBeUndefined()
    // ct and ict call no teacher: their effective target is the next level whatever was asked.
    expect(solveOf({ algorithm: 'ict', topPairTarget: 'sigma-min' })).toBeUndefined()
    expect(solveOf({ algorithm: 'tutorial', topPairTarget: 'sigma-min' })).toBeUndefined()
  })
})
