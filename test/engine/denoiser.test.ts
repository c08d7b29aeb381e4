import { beforeAll, describe, expect, it } from 'vitest'
import { Rng } from '@shared/rng'
import { boundaryScaling, consistency, denoise, epsilon, makeLevels, uniformSteps } from '../../src-main/engine/denoiser'
import { teacherOdeStep } from '../../src-main/engine/distiller'
import { tf, type Tensor2D } from '../../src-main/engine/tf'
import { randomTeacher, useCpu } from '../helpers/engine'

beforeAll(useCpu)

describe('consistency function', () => {
  it('satisfies the boundary condition f(x, sigmaMin) = x exactly', () => {
    const teacher = randomTeacher()
    const n = 64
    const x = Rng.fromSeed(3).normals(n * 2).map((v) => v * 3)
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
    const xHi = Rng.fromSeed(6).normals(n * 2).map((v) => v * (schedule.sigma[hi] as number))
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
      return [teacherOdeStep(teacher, x, hiLevels, loLevels, 'heun').dataSync(), tf.add(x, tf.mul(tf.add(d1, d2), dSigma / 2)).dataSync()]
    })
    Array.from(heun).forEach((v, i) => expect(v).toBeCloseTo(manual[i] as number, 5))
  })
})
