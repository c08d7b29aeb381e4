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
import { stepLoss, stepLosses } from '../helpers/train'

beforeAll(useCpu)

const small = { batch: 16, steps: 40, numScales: 10, evalSamples: 64 }

describe('Distiller', () => {
  it.each(ALGORITHMS)('%s: trains with a finite loss and leaks no tensors per step', async (algorithm) => {
    const teacher = randomTeacher()
    const distiller = new Distiller(parseDistillConfig({ ...small, algorithm }), teacher, 'cpu')
    await stepLosses(distiller, 1)
    const before = tf.memory().numTensors
    const losses = await stepLosses(distiller, 5)
    expect(losses).toHaveLength(5)
    for (const loss of losses) expect(Number.isFinite(loss)).toBe(true)
    expect(tf.memory().numTensors).toBe(before)
    distiller.dispose()
    teacher.weights.dispose()
  })

  it('is deterministic for a fixed seed and differs for another seed', async () => {
    const teacher = randomTeacher()
    const losses = async (seed: number) => {
      const d = new Distiller(parseDistillConfig({ ...small, seed }), teacher, 'cpu')
      const out = await stepLosses(d, 6)
      d.dispose()
      return out
    }
    const a = await losses(1)
    expect(a).toHaveLength(6)
    expect(await losses(1)).toEqual(a)
    expect(await losses(2)).not.toEqual(a)
    teacher.weights.dispose()
  })

  it('resumed from a checkpoint continues bit-for-bit the same loss sequence', async () => {
    const teacher = randomTeacher()
    const config = parseDistillConfig({ ...small, lrSchedule: 'cosine', warmupSteps: 3 })
    const uninterrupted = new Distiller(config, teacher, 'cpu')
    const full = await stepLosses(uninterrupted, 12)
    uninterrupted.dispose()

    const first = new Distiller(config, teacher, 'cpu')
    const head: number[] = []
    for (let i = 0; i < 5; i++) for (const r of await first.trainStep()) head.push(r.loss)
    // Taken with losses still unread: the snapshot reads them first and they are still handed out after.
    const snapshot = decodeCheckpoint(encodeCheckpoint(await first.snapshot())) as Snapshot<DistillHeader>
    for (const r of await first.settle()) head.push(r.loss)
    first.dispose()
    const resumed = new Distiller(config, teacher, 'cpu', snapshot)
    expect(resumed.step).toBe(5)
    const tail = await stepLosses(resumed, 7)
    resumed.dispose()
    expect(full).toHaveLength(12)
    expect([...head, ...tail]).toEqual(full)
    teacher.weights.dispose()
  })

  it('#18 stops on a NaN loss read a few steps late, naming its step, and takes no snapshot after it', async () => {
    const teacher = randomTeacher()
    const distiller = new Distiller(parseDistillConfig(small), teacher, 'cpu')
    expect(await stepLosses(distiller, 1)).toHaveLength(1)
    // Poison the target network: the loss becomes NaN on the next step.
    const poisoned = distiller.target.variables()[0] as tf.Variable
    tf.tidy(() => poisoned.assign(tf.fill(poisoned.shape, Number.NaN)))
    let error: unknown = null
    try {
      for (let i = 0; i < 10; i++) await distiller.trainStep()
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(NonFiniteLossError)
    expect((error as NonFiniteLossError).step).toBe(2)
    expect((error as Error).message).toMatch(/loss became NaN at step 2/)
    // Seen a few steps late, yet before the loop ran away; and the state after it can be neither stepped nor saved.
    expect(distiller.step).toBeGreaterThan(2)
    expect(distiller.step).toBeLessThan(10)
    await expect(distiller.trainStep()).rejects.toThrow(/loss became NaN at step 2/)
    await expect(distiller.snapshot()).rejects.toThrow(/loss became NaN at step 2/)
    distiller.dispose()
    teacher.weights.dispose()
  })

  it('initialises student and target from the teacher', async () => {
    const teacher = randomTeacher()
    const distiller = new Distiller(parseDistillConfig(small), teacher, 'cpu')
    const expected = await teacher.weights.toArrays()
    expect(Object.keys(expected).length).toBeGreaterThan(0)
    expect(await distiller.student.toArrays()).toEqual(expected)
    expect(await distiller.target.toArrays()).toEqual(expected)
    distiller.dispose()
    teacher.weights.dispose()
  })

  it('inverse-gap weighting scales each pair by 1 / (sigma_hi - sigma_lo)', async () => {
    const teacher = randomTeacher()
    const first = async (weighting: 'uniform' | 'inverse-gap', numScales: number) => {
      const d = new Distiller(parseDistillConfig({ ...small, numScales, weighting }), teacher, 'cpu')
      const loss = await stepLoss(d)
      d.dispose()
      return loss
    }
    // With N = 2 every pair is the grid's bottom and top: the weight is one constant, so the losses differ by exactly it.
    const grid = new Distiller(parseDistillConfig({ ...small, numScales: 2 }), teacher, 'cpu')
    const [bottom, top] = grid.trainedSteps() as [number, number]
    grid.dispose()
    const gap = (teacher.schedule.sigma[top] as number) - (teacher.schedule.sigma[bottom] as number)
    expect((await first('inverse-gap', 2)) / ((await first('uniform', 2)) / gap)).toBeCloseTo(1, 5)
    expect(await first('inverse-gap', 10)).not.toBeCloseTo(await first('uniform', 10), 6)
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
  it('is deterministic, leak-free, and resumes bit-for-bit', async () => {
    const config = parseTeacherConfig({ ...SMALL_TEACHER, steps: 10 })
    const a = new TeacherTrainer(config, 'cpu')
    await stepLosses(a, 1)
    const before = tf.memory().numTensors
    const lossesA = await stepLosses(a, 7)
    expect(tf.memory().numTensors).toBe(before)
    expect(lossesA).toHaveLength(7)
    a.dispose()

    const b = new TeacherTrainer(config, 'cpu')
    const head = await stepLosses(b, 3)
    const snapshot = await b.snapshot()
    b.dispose()
    const c = new TeacherTrainer(config, 'cpu', snapshot)
    const tail = await stepLosses(c, 5)
    c.dispose()
    expect([...head, ...tail].slice(1)).toEqual(lossesA)
  })
})
