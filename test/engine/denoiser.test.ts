import { beforeAll, describe, expect, it } from 'vitest'
import { Rng } from '@shared/rng'
import {
  boundaryScaling,
  consistency,
  denoise,
  epsilon,
  makeLevels,
  uniformSteps,
} from '../../src-main/engine/denoiser'
import { hopSubsteps } from '@shared/cd/schedule'
import { teacherOdeSolve } from '../../src-main/engine/cd-target-side'
import { teacherOdeStep } from '../../src-main/engine/distiller'
import type { TeacherModel } from '../../src-main/engine/teacher-model'
import { loadTeacher } from '../../src-main/files/teachers'
import { tf, type Tensor2D } from '../../src-main/engine/tf'
import { randomTeacher, useCpu } from '../helpers/engine'

beforeAll(useCpu)

describe('consistency function', () => {
  it('satisfies the boundary condition f(x, sigmaMin) = x exactly', () => {
    const teacher = randomTeacher()
    const n = 64
    const x = Rng.fromSeed(3)
      .normals(n * 2)
      .map((v) => v * 3)
    const out = tf.tidy(() => {
      const levels = makeLevels(teacher.schedule, uniformSteps(n, 0), teacher.architecture.timeEmbeddingDim)
      const scaling = boundaryScaling(levels, teacher.schedule.sigma[0] as number, 0.5)
      return consistency(teacher.weights.net(), tf.tensor2d(x, [n, 2]), levels, scaling).dataSync()
    })
    expect(Array.from(out)).toEqual(Array.from(x))
  })

  it('is not the identity away from the boundary', () => {
    const teacher = randomTeacher()
    const n = 8
    const x = Rng.fromSeed(4).normals(n * 2)
    const out = tf.tidy(() => {
      const levels = makeLevels(teacher.schedule, uniformSteps(n, 500), teacher.architecture.timeEmbeddingDim)
      const scaling = boundaryScaling(levels, teacher.schedule.sigma[0] as number, 0.5)
      return consistency(teacher.weights.net(), tf.tensor2d(x, [n, 2]), levels, scaling).dataSync()
    })
    expect(Math.max(...Array.from(out).map((v, i) => Math.abs(v - (x[i] as number))))).toBeGreaterThan(1e-3)
  })

  it('without the boundary (the walkthrough) equals get_x0_from_epsilon in VP coordinates', () => {
    const teacher = randomTeacher()
    const n = 16
    const k = 700
    const xVp = Rng.fromSeed(5).normals(n * 2)
    const aBar = teacher.schedule.alphaBar[k] as number
    const [viaVe, direct] = tf.tidy(() => {
      const levels = makeLevels(teacher.schedule, uniformSteps(n, k), teacher.architecture.timeEmbeddingDim)
      const xVe = tf.div(tf.tensor2d(xVp, [n, 2]), Math.sqrt(aBar)) as Tensor2D
      const eps = epsilon(teacher.weights.net(), xVe, levels)
      const x0 = tf.div(tf.sub(tf.tensor2d(xVp, [n, 2]), tf.mul(eps, Math.sqrt(1 - aBar))), Math.sqrt(aBar))
      return [consistency(teacher.weights.net(), xVe, levels, null).dataSync(), x0.dataSync()]
    })
    Array.from(viaVe).forEach((v, i) => expect(v).toBeCloseTo(direct[i] as number, 3))
  })
})

describe('teacher ODE step', () => {
  it('DDIM step equals its closed form sqrt(aBar_lo) x0_hat + sqrt(1 - aBar_lo) eps_hat in VP coordinates', () => {
    const teacher = randomTeacher()
    const { schedule } = teacher
    const n = 32
    const hi = 600
    const lo = 540
    const xHi = Rng.fromSeed(6)
      .normals(n * 2)
      .map((v) => v * (schedule.sigma[hi] as number))
    const [euler, closed] = tf.tidy(() => {
      const hiLevels = makeLevels(schedule, uniformSteps(n, hi), teacher.architecture.timeEmbeddingDim)
      const loLevels = makeLevels(schedule, uniformSteps(n, lo), teacher.architecture.timeEmbeddingDim)
      const x = tf.tensor2d(xHi, [n, 2])
      const step = teacherOdeStep(teacher, x, hiLevels, loLevels, 'ddim')
      // DDIM (eta = 0) in VP coordinates, then back to VE: x_ve = x_vp / sqrt(aBar_lo).
      const eps = epsilon(teacher.weights.net(), x, hiLevels)
      const x0 = denoise(teacher.weights.net(), x, hiLevels)
      const aLo = schedule.alphaBar[lo] as number
      const xVpLo = tf.add(tf.mul(x0, Math.sqrt(aLo)), tf.mul(eps, Math.sqrt(1 - aLo)))
      return [step.dataSync(), tf.div(xVpLo, Math.sqrt(aLo)).dataSync()]
    })
    Array.from(euler).forEach((v, i) => expect(v).toBeCloseTo(closed[i] as number, 4))
  })

  it('Heun averages the slopes at both ends', () => {
    const teacher = randomTeacher()
    const { schedule } = teacher
    const n = 4
    const xHi = Rng.fromSeed(8).normals(n * 2)
    const [heun, manual] = tf.tidy(() => {
      const hiLevels = makeLevels(schedule, uniformSteps(n, 300), teacher.architecture.timeEmbeddingDim)
      const loLevels = makeLevels(schedule, uniformSteps(n, 250), teacher.architecture.timeEmbeddingDim)
      const x = tf.tensor2d(xHi, [n, 2])
      const dSigma = (schedule.sigma[250] as number) - (schedule.sigma[300] as number)
      const d1 = epsilon(teacher.weights.net(), x, hiLevels)
      const xe = tf.add(x, tf.mul(d1, dSigma)) as Tensor2D
      const d2 = epsilon(teacher.weights.net(), xe, loLevels)
      return [
        teacherOdeStep(teacher, x, hiLevels, loLevels, 'heun').dataSync(),
        tf.add(x, tf.mul(tf.add(d1, d2), dSigma / 2)).dataSync(),
      ]
    })
    Array.from(heun).forEach((v, i) => expect(v).toBeCloseTo(manual[i] as number, 5))
  })
})

describe('teacher ODE solve over a hop in substeps', () => {
  const solve = (
    teacher: TeacherModel,
    xHi: Float32Array,
    hiSteps: Int32Array,
    loSteps: Int32Array,
    solver: 'ddim' | 'heun',
    substeps: number,
  ) =>
    tf.tidy(() => {
      const dim = teacher.architecture.timeEmbeddingDim
      const n = hiSteps.length
      return teacherOdeSolve(
        teacher,
        tf.tensor2d(xHi, [n, 2]),
        makeLevels(teacher.schedule, hiSteps, dim),
        makeLevels(teacher.schedule, loSteps, dim),
        { solver, substeps },
      ).dataSync() as Float32Array
    })

  it('one substep is the single step; m substeps are m single steps over hopSubsteps, per example', () => {
    const teacher = randomTeacher()
    const { schedule } = teacher
    const dim = teacher.architecture.timeEmbeddingDim
    // Two examples on different hops, one shorter than the number of substeps (a zero-length step).
    const hiSteps = Int32Array.from([700, 3])
    const loSteps = Int32Array.from([600, 1])
    const xHi = Rng.fromSeed(9)
      .normals(4)
      .map((v, i) => v * (schedule.sigma[hiSteps[i >> 1] as number] as number))
    const single = tf.tidy(() =>
      teacherOdeStep(
        teacher,
        tf.tensor2d(xHi, [2, 2]),
        makeLevels(schedule, hiSteps, dim),
        makeLevels(schedule, loSteps, dim),
        'heun',
      ).dataSync(),
    )
    expect(Array.from(solve(teacher, xHi, hiSteps, loSteps, 'heun', 1))).toEqual(Array.from(single))

    const chained = tf.tidy(() => {
      let x = tf.tensor2d(xHi, [2, 2])
      let from = hiSteps
      const perExample = [hopSubsteps(700, 600, 4), hopSubsteps(3, 1, 4)]
      for (let j = 0; j < 4; j++) {
        const to = Int32Array.from(perExample, (steps) => steps[j] as number)
        x = teacherOdeStep(teacher, x, makeLevels(schedule, from, dim), makeLevels(schedule, to, dim), 'heun')
        from = to
      }
      return x.dataSync()
    })
    expect(Array.from(solve(teacher, xHi, hiSteps, loSteps, 'heun', 4))).toEqual(Array.from(chained))
    teacher.weights.dispose()
  })

  it.each(['ddim', 'heun'] as const)(
    "%s: more substeps land closer to the finely solved ODE (the built-in moons teacher's top hop at N = 8)",
    (solver) => {
      // A trained teacher: a random network's epsilon is not smooth in the step index, so its ODE has no limit to approach.
      const teacher = loadTeacher('builtin', 'moons').model
      const n = 64
      const hiSteps = uniformSteps(n, 999)
      const loSteps = uniformSteps(n, 856)
      const xHi = Rng.fromSeed(10)
        .normals(n * 2)
        .map((v) => v * (teacher.schedule.sigma[999] as number))
      const fine = solve(teacher, xHi, hiSteps, loSteps, 'heun', 32)
      const error = (substeps: number) => {
        const x = solve(teacher, xHi, hiSteps, loSteps, solver, substeps)
        return Math.sqrt(x.reduce((s, v, i) => s + (v - (fine[i] as number)) ** 2, 0) / x.length)
      }
      const [e1, e4, e16] = [error(1), error(4), error(16)]
      expect(e1).toBeGreaterThan(0)
      expect(e4).toBeLessThan(e1 / 2)
      expect(e16).toBeLessThan(e4 / 2)
      teacher.weights.dispose()
    },
  )

  it('leaks no tensors', () => {
    const teacher = randomTeacher()
    const before = tf.memory().numTensors
    solve(teacher, new Float32Array(8), uniformSteps(4, 500), uniformSteps(4, 400), 'heun', 5)
    expect(tf.memory().numTensors).toBe(before)
    teacher.weights.dispose()
  })
})
