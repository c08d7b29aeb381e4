/**
 * #16 a teacher trained outside a run (the make-teachers and teacher-recipe scripts) goes through the trainer
 * host's one training loop: every step reported in order, checkpoints on the cadence, and the same losses as
 * the trainer stepped directly.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { parseTeacherConfig } from '@shared/config/validate'
import { selectBackend } from '../../src-main/engine/backend'
import { TeacherTrainer } from '../../src-main/engine/teacher-trainer'
import { runTeacherTraining } from '../../src-main/trainer-host/teacher-training'
import { stepLosses } from '../helpers/train'
import { TINY_TEACHER } from './helpers'

beforeAll(async () => {
  await selectBackend('cpu')
})

describe('#16 teacher training through the one loop', () => {
  it('#16 reports every step in order, checkpoints on the cadence, and trains as the trainer does', async () => {
    const config = parseTeacherConfig({ ...TINY_TEACHER, steps: 6 })
    const steps: number[] = []
    const losses: number[] = []
    const checkpoints: number[] = []
    const outcome = await runTeacherTraining(config, 'cpu', {
      onStep: (r) => {
        steps.push(r.step)
        losses.push(r.loss)
      },
      onCheckpoint: (s) => checkpoints.push(s.header.step),
      checkpointEvery: 2,
      evalSamples: 64,
    })
    expect(steps).toEqual([1, 2, 3, 4, 5, 6])
    // The last step is not checkpointed: the returned snapshot is the teacher.
    expect(checkpoints).toEqual([2, 4])
    expect(outcome.snapshot.header.step).toBe(6)
    expect(outcome.lastLoss).toBe(losses.at(-1))
    expect(outcome.rows.length).toBeGreaterThan(0)
    const direct = new TeacherTrainer(config, 'cpu')
    try {
      expect(await stepLosses(direct, 6)).toEqual(losses)
    } finally {
      direct.dispose()
    }
  })
})
