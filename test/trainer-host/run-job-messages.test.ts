/**
 * The engine process's jobs run in this process (no fork), with a pause requested at a known step, so the
 * whole message sequence is deterministic: what, in which order, at which step. Metric batches and progress
 * messages go out on a timer and are left out of the sequence (the steps they carry are checked instead).
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTeacherConfig } from '@shared/config/validate'
import type { EngineMessage, TeacherJob } from '@shared/ipc/engine-messages'
import { readCheckpoint } from '../../src-main/files/checkpoint-file'
import { runDistillJob, runTeacherJob, type JobContext } from '../../src-main/trainer-host/run-job'
import { distillJob, makeTinyTeacher, tempDir, TINY_TEACHER } from './helpers'

let root: { dir: string; remove: () => void }
let teacherPath: string

beforeAll(async () => {
  root = tempDir('run-job-messages')
  teacherPath = join(root.dir, 'teacher.ckpt')
  await makeTinyTeacher(teacherPath)
})

afterAll(() => root?.remove())

/**
 * A context whose host asks for a pause once step `pauseAt` is done, then resumes (or cancels) at once.
 * The loop asks before every step, so its (pauseAt + 1)-th question comes right after step `pauseAt`:
 * counting questions, not reported steps, since losses are reported a few steps late (loss-reader.ts).
 */
function context(
  pauseAt: number | null,
  answer: 'resume' | 'cancel' = 'resume',
): { ctx: JobContext; messages: EngineMessage[] } {
  const messages: EngineMessage[] = []
  let pause = false
  let pausedOnce = false
  let asked = 0
  const ctx: JobContext = {
    emit: (m) => messages.push(m),
    step: 0,
    control: {
      get pauseRequested() {
        asked += 1
        if (pauseAt !== null && !pausedOnce && asked > pauseAt) pause = true
        return pause
      },
      cancelRequested: false,
      waitWhilePaused: async () => {
        pause = false
        pausedOnce = true
        return answer
      },
    },
  }
  return { ctx, messages }
}

/** The timer-free messages, one short line each. */
function sequence(messages: EngineMessage[]): string[] {
  return messages.flatMap((m) => {
    switch (m.type) {
      case 'metrics':
      case 'progress':
        return []
      case 'checkpoint':
        return [`checkpoint ${m.role}@${m.step}`]
      case 'preview':
        return [`preview ${m.model}${m.nfe}@${m.step}`]
      case 'samples':
        return [`samples ${m.model}${m.nfe}@${m.step}`]
      default:
        return [`${m.type}@${'step' in m ? m.step : ''}`]
    }
  })
}

const steps = (messages: EngineMessage[]) =>
  messages.flatMap((m) => (m.type === 'metrics' ? m.points.map((p) => p.step) : []))
const losses = (messages: EngineMessage[]) =>
  messages.flatMap((m) => (m.type === 'metrics' ? m.points.map((p) => p.loss) : []))

describe("#16.4 the one training loop keeps each job's messages", () => {
  it('#16.4 a distillation paused at step 15: previews, checkpoints, evaluations, pause and samples in order, losses bit for bit', async () => {
    const overrides = { steps: 30, checkpointEvery: 10, evalEvery: 10, sampleEvery: 10 }
    const straight = context(null)
    const plain = distillJob(root.dir, teacherPath, overrides)
    expect(await runDistillJob(plain, straight.ctx)).toMatchObject({ type: 'finished', step: 30 })

    const paused = context(15)
    const job = distillJob(root.dir, teacherPath, overrides)
    expect(await runDistillJob(job, paused.ctx)).toMatchObject({ type: 'finished', runId: job.runId, step: 30 })
    const previews = (step: number) => [`preview student1@${step}`, `preview student2@${step}`]
    expect(sequence(paused.messages)).toEqual([
      'started@0',
      'preview data0@0',
      'preview teacher100@0',
      ...previews(0),
      'checkpoint latest@10',
      'evaluation@10',
      ...previews(10),
      'checkpoint latest@15',
      'paused@15',
      'resumed@15',
      'checkpoint latest@20',
      'evaluation@20',
      ...previews(20),
      'checkpoint latest@30',
      'checkpoint final@30',
      ...previews(30),
      'evaluation@30',
      'samples data0@30',
      'samples teacher100@30',
      'samples student1@30',
      'samples student2@30',
      'samples student4@30',
      'samples student8@30',
    ])
    expect(sequence(straight.messages).filter((s) => !/15$/.test(s))).toEqual(
      sequence(paused.messages).filter((s) => !/15$/.test(s)),
    )
    expect(steps(paused.messages)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    expect(losses(paused.messages)).toEqual(losses(straight.messages))
    const samples = paused.messages.filter((m) => m.type === 'samples')
    expect(samples.map((m) => m.path)).toEqual(
      [
        'data.csv',
        'teacher-k100.csv',
        'student-nfe1.csv',
        'student-nfe2.csv',
        'student-nfe4.csv',
        'student-nfe8.csv',
      ].map((f) => join(job.samplesDir, f)),
    )
    expect(readCheckpoint(join(job.checkpointDir, 'final.ckpt')).header.step).toBe(30)
  })

  it('#16.4 a distillation off the checkpoint cadence still checkpoints its last step, after the last preview', async () => {
    const { ctx, messages } = context(null)
    const job = distillJob(root.dir, teacherPath, { steps: 25, checkpointEvery: 10, evalEvery: 0, sampleEvery: 25 })
    await runDistillJob(job, ctx)
    expect(sequence(messages)).toEqual([
      'started@0',
      'preview data0@0',
      'preview teacher100@0',
      'preview student1@0',
      'preview student2@0',
      'checkpoint latest@10',
      'checkpoint latest@20',
      'preview student1@25',
      'preview student2@25',
      'checkpoint latest@25',
      'checkpoint final@25',
      'evaluation@25',
      'samples data0@25',
      'samples teacher100@25',
      'samples student1@25',
      'samples student2@25',
      'samples student4@25',
      'samples student8@25',
    ])
  })

  it('#16.4 a teacher paused at step 7: no checkpoint at its last step but teacher.ckpt after its evaluation; cancelled while paused keeps the pause step', async () => {
    const job = (runId: string): TeacherJob => ({
      kind: 'teacher',
      runId,
      config: parseTeacherConfig({ ...TINY_TEACHER, steps: 20 }),
      outDir: join(root.dir, runId, 'out'),
      checkpointDir: join(root.dir, runId, 'checkpoints'),
      checkpointEvery: 5,
      sampleEvery: 10,
      evalSamples: 64,
    })
    const { ctx, messages } = context(7)
    expect(await runTeacherJob(job('teacher-a'), ctx)).toMatchObject({ type: 'finished', step: 20 })
    expect(sequence(messages)).toEqual([
      'started@0',
      'preview data0@0',
      'preview teacher20@0',
      'checkpoint latest@5',
      'checkpoint latest@7',
      'paused@7',
      'resumed@7',
      'checkpoint latest@10',
      'preview teacher20@10',
      'checkpoint latest@15',
      'preview teacher20@20',
      'checkpoint teacher@20',
      'evaluation@20',
    ])
    expect(steps(messages)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))

    const cancelled = context(7, 'cancel')
    expect(await runTeacherJob(job('teacher-b'), cancelled.ctx)).toEqual({
      type: 'cancelled',
      runId: 'teacher-b',
      step: 7,
    })
    expect(sequence(cancelled.messages).slice(-2)).toEqual(['checkpoint latest@7', 'paused@7'])
  })
})
