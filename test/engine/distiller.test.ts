import { beforeAll, describe, expect, it } from 'vitest'
import { ALGORITHMS } from '@shared/config/fields'
import { parseDistillConfig } from '@shared/config/validate'
import { Distiller, NonFiniteLossError } from '../../src-main/engine/distiller'
import { decodeCheckpoint, encodeCheckpoint } from '../../src-main/files/checkpoint-file'
import type { DistillHeader, Snapshot } from '../../src-main/engine/snapshot'
import { TeacherTrainer } from '../../src-main/engine/teacher-trainer'
import { parseTeacherConfig } from '@shared/config/validate'
import { tf } from '../../src-main/engine/tf'
import { randomTeacher, SMALL_TEACHER, useCpu } from '../helpers/engine'

beforeAll(useCpu)

const small = { batch: 16, steps: 40, numScales: 10, evalSamples: 64 }

describe('Distiller', () => {
  it.each(ALGORITHMS)('%s: trains with a finite loss and leaks no tensors per step', (algorithm) => {
    const teacher = randomTeacher()
    const distiller = new Distiller(parseDistillConfig({ ...small, algorithm }), teacher, 'cpu')
    distiller.trainStep()
    const before = tf.memory().numTensors
    for (let i = 0; i < 5; i++) expect(Number.isFinite(distiller.trainStep().loss)).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
    distiller.dispose()
    teacher.weights.dispose()
  })

  it('is deterministic for a fixed seed and differs for another seed', () => {
    const teacher = randomTeacher()
    const losses = (seed: number) => {
      const d = new Distiller(parseDistillConfig({ ...small, seed }), teacher, 'cpu')
      const out = Array.from({ length: 6 }, () => d.trainStep().loss)
      d.dispose()
      return out
    }
    const a = losses(1)
    expect(losses(1)).toEqual(a)
    expect(losses(2)).not.toEqual(a)
    teacher.weights.dispose()
  })

  it('resumed from a checkpoint continues bit-for-bit the same loss sequence', () => {
    const teacher = randomTeacher()
    const config = parseDistillConfig({ ...small, lrSchedule: 'cosine', warmupSteps: 3 })
    const uninterrupted = new Distiller(config, teacher, 'cpu')
    const full = Array.from({ length: 12 }, () => uninterrupted.trainStep().loss)
    uninterrupted.dispose()

    const first = new Distiller(config, teacher, 'cpu')
    const head = Array.from({ length: 5 }, () => first.trainStep().loss)
    // Through the real byte format, as a resumed process would read it.
    const snapshot = decodeCheckpoint(encodeCheckpoint(first.snapshot())) as Snapshot<DistillHeader>
    first.dispose()
    const resumed = new Distiller(config, teacher, 'cpu', snapshot)
    expect(resumed.step).toBe(5)
    const tail = Array.from({ length: 7 }, () => resumed.trainStep().loss)
    resumed.dispose()
    expect([...head, ...tail]).toEqual(full)
    teacher.weights.dispose()
  })

  it('stops on a NaN loss with a clear error and leaves the weights untouched', () => {
    const teacher = randomTeacher()
    const distiller = new Distiller(parseDistillConfig(small), teacher, 'cpu')
    distiller.trainStep()
    const before = distiller.student.toArrays()
    // Poison the target network: the loss becomes NaN on the next step.
    const poisoned = distiller.target.variables()[0] as tf.Variable
    tf.tidy(() => poisoned.assign(tf.fill(poisoned.shape, Number.NaN)))
    expect(() => distiller.trainStep()).toThrow(NonFiniteLossError)
    expect(() => distiller.trainStep()).toThrow(/loss became NaN at step 2/)
    expect(distiller.student.toArrays()).toEqual(before)
    expect(distiller.step).toBe(1)
    distiller.dispose()
    teacher.weights.dispose()
  })

  it('initialises student and target from the teacher', () => {
    const teacher = randomTeacher()
    const distiller = new Distiller(parseDistillConfig(small), teacher, 'cpu')
    expect(distiller.student.toArrays()).toEqual(teacher.weights.toArrays())
    expect(distiller.target.toArrays()).toEqual(teacher.weights.toArrays())
    distiller.dispose()
    teacher.weights.dispose()
  })

  it('inverse-gap weighting scales each pair by 1 / (sigma_hi - sigma_lo)', () => {
    const teacher = randomTeacher()
    const first = (weighting: 'uniform' | 'inverse-gap', numScales: number) => {
      const d = new Distiller(parseDistillConfig({ ...small, numScales, weighting }), teacher, 'cpu')
      const loss = d.trainStep().loss
      d.dispose()
      return loss
    }
    // With N = 2 every pair is the grid's bottom and top: the weight is one constant, so the losses differ by exactly it.
    const grid = new Distiller(parseDistillConfig({ ...small, numScales: 2 }), teacher, 'cpu')
    const [bottom, top] = grid.trainedSteps() as [number, number]
    grid.dispose()
    const gap = (teacher.schedule.sigma[top] as number) - (teacher.schedule.sigma[bottom] as number)
    expect(first('inverse-gap', 2) / (first('uniform', 2) / gap)).toBeCloseTo(1, 5)
    expect(first('inverse-gap', 10)).not.toBeCloseTo(first('uniform', 10), 6)
    teacher.weights.dispose()
  })

  it('iCT doubles N along its curriculum', () => {
    const teacher = randomTeacher()
    const distiller = new Distiller(
      parseDistillConfig({ ...small, algorithm: 'ict', numScales: 81, steps: 40 }),
      teacher,
      'cpu',
    )
    expect(distiller.numScalesAt(0)).toBe(11)
    expect(distiller.numScalesAt(39)).toBe(81)
    distiller.dispose()
    teacher.weights.dispose()
  })
})

describe('TeacherTrainer', () => {
  it('is deterministic, leak-free, and resumes bit-for-bit', () => {
    const config = parseTeacherConfig({ ...SMALL_TEACHER, steps: 10 })
    const a = new TeacherTrainer(config, 'cpu')
    a.trainStep()
    const before = tf.memory().numTensors
    const lossesA = Array.from({ length: 7 }, () => a.trainStep().loss)
    expect(tf.memory().numTensors).toBe(before)
    a.dispose()

    const b = new TeacherTrainer(config, 'cpu')
    const head = Array.from({ length: 3 }, () => b.trainStep().loss)
    const snapshot = b.snapshot()
    b.dispose()
    const c = new TeacherTrainer(config, 'cpu', snapshot)
    const tail = Array.from({ length: 5 }, () => c.trainStep().loss)
    c.dispose()
    expect([...head, ...tail].slice(1)).toEqual(lossesA)
  })
})
