/**
 * The engine process end to end: a real forked child (ForkedEngineHost → the CLI build's engine.mjs while it
 * is fresh, else bootstrap.mjs → main.ts through tsx; bundled-entries.ts) running tiny jobs on the cpu
 * backend. One host serves the jobs that leave it usable (which also checks that a process runs jobs one
 * after another); the kill test gets its own.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTeacherConfig } from '@shared/config/validate'
import type { EngineMessage, TeacherJob } from '@shared/ipc/engine-messages'
import { Distiller } from '../../src-main/engine/distiller'
import type { DistillHeader, Snapshot } from '../../src-main/engine/snapshot'
import { readCheckpoint, writeCheckpoint } from '../../src-main/files/checkpoint-file'
import { loadTeacher } from '../../src-main/files/teachers'
import { ForkedEngineHost } from '../../src-main/services/engine-host'
import { distillJob, EventLog, makeTinyTeacher, tempDir, TINY_TEACHER, tinyDistillConfig } from './helpers'

/** Long enough that a pause / cancel / kill sent at the first metrics batch lands mid-run (~5-10 ms a step). */
const STEPS = 120

let root: { dir: string; remove: () => void }
let teacherPath: string
let host: ForkedEngineHost
let log: EventLog
/** Losses of the uninterrupted run (test a), the reference for the paused one (test b). */
let uninterrupted: number[] = []

beforeAll(async () => {
  root = tempDir('engine-host')
  teacherPath = join(root.dir, 'teacher.ckpt')
  host = new ForkedEngineHost()
  log = new EventLog(host)
  await makeTinyTeacher(teacherPath)
})

afterAll(async () => {
  host?.kill()
  await host?.exited
  root?.remove()
})

const firstMetrics = (runId: string) => log.waitFor((e) => e.type === 'metrics' && e.runId === runId)

describe('ForkedEngineHost + trainer host', () => {
  it('runs a distillation: started, every step in order, checkpoints, evaluation, samples, finished', async () => {
    const job = distillJob(root.dir, teacherPath, { steps: STEPS })
    host.start(job)
    expect(host.activeRunId).toBe(job.runId)
    expect(() => host.start(distillJob(root.dir, teacherPath))).toThrow(/busy/)
    const end = await log.terminal(job.runId)
    expect(end).toMatchObject({ type: 'finished', step: STEPS })
    expect(host.activeRunId).toBeNull()

    const types = log.types(job.runId)
    expect(types[0]).toBe('started')
    expect(types.at(-1)).toBe('finished')
    expect(log.of('started', job.runId)[0]).toMatchObject({ backend: 'cpu', step: 0, totalSteps: STEPS })
    const points = log.points(job.runId)
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1))
    expect(points.every((p) => Number.isFinite(p.loss) && p.lr > 0)).toBe(true)
    expect(points.every((p, i) => i === 0 || p.wallMs >= (points[i - 1] as { wallMs: number }).wallMs)).toBe(true)
    expect(Math.max(...log.of('metrics', job.runId).map((m) => m.points.length))).toBeLessThanOrEqual(500)
    // All steps are reported before the evaluation; checkpoints come after the steps they hold.
    const firstEvaluation = types.indexOf('evaluation')
    expect(types.lastIndexOf('metrics')).toBeLessThan(firstEvaluation)
    const checkpoints = log.of('checkpoint', job.runId)
    expect(checkpoints.map((c) => `${c.role}@${c.step}`)).toEqual([
      'latest@10',
      'latest@20',
      'latest@30',
      'latest@40',
      'latest@50',
      'latest@60',
      'latest@70',
      'latest@80',
      'latest@90',
      'latest@100',
      'latest@110',
      'latest@120',
      'final@120',
    ])
    for (const c of checkpoints) {
      const seenBefore = log.events
        .slice(0, log.events.indexOf(c))
        .flatMap((e) => (e.type === 'metrics' && e.runId === job.runId ? e.points : []))
      expect(seenBefore.at(-1)?.step).toBe(c.step)
    }
    expect(readCheckpoint(join(job.checkpointDir, 'final.ckpt')).header.step).toBe(STEPS)
    expect(readCheckpoint(join(job.checkpointDir, 'latest.ckpt')).header.step).toBe(STEPS)

    const [evaluation] = log.of('evaluation', job.runId)
    expect(evaluation?.step).toBe(STEPS)
    expect(evaluation?.agreement).toBeGreaterThan(0)
    expect(evaluation?.rows.map((r) => `${r.model}${r.nfe}`)).toEqual(
      expect.arrayContaining(['data0', 'teacher100', 'student1', 'student2']),
    )

    const samples = log.of('samples', job.runId)
    // One file per sampled model: the data, the teacher at K = 100, the student at each NFE it was scored at.
    const studentNfes = (evaluation?.rows ?? []).filter((r) => r.model === 'student').map((r) => `student${r.nfe}`)
    expect(studentNfes.length).toBeGreaterThanOrEqual(2)
    expect(samples.map((s) => `${s.model}${s.nfe}`)).toEqual(['data0', 'teacher100', ...studentNfes])
    for (const s of samples) {
      const lines = readFileSync(s.path, 'utf8').trim().split('\n')
      expect(lines[0]).toBe('x,y')
      expect(lines).toHaveLength(65)
    }
    expect(samples[2]?.path).toBe(join(job.samplesDir, 'student-nfe1.csv'))
    uninterrupted = points.map((p) => p.loss)
  })

  it('pauses after a checkpoint and resumes with the same loss sequence, bit for bit', async () => {
    expect(uninterrupted).toHaveLength(STEPS)
    const job = distillJob(root.dir, teacherPath, { steps: STEPS })
    host.start(job)
    await firstMetrics(job.runId)
    host.pause()
    const paused = await log.waitFor(
      (e): e is Extract<EngineMessage, { type: 'paused' }> => e.type === 'paused' && e.runId === job.runId,
    )
    expect(paused.step).toBeGreaterThan(0)
    expect(paused.step).toBeLessThan(STEPS)
    const latest = readCheckpoint(join(job.checkpointDir, 'latest.ckpt')) as Snapshot<DistillHeader>
    expect(latest.header.step).toBe(paused.step)
    // Nothing trains while paused.
    const reported = log.points(job.runId).length
    expect(reported).toBe(paused.step)
    const pausedAt = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(log.points(job.runId)).toHaveLength(reported)
    expect(host.activeRunId).toBe(job.runId)

    host.resume()
    const pausedFor = Date.now() - pausedAt
    const end = await log.terminal(job.runId)
    expect(end).toMatchObject({ type: 'finished', step: STEPS })
    expect(log.of('resumed', job.runId)).toEqual([{ type: 'resumed', runId: job.runId, step: paused.step }])
    const points = log.points(job.runId)
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1))
    expect(points.map((p) => p.loss)).toEqual(uninterrupted)
    // The time axis leaves the pause out: counted, the pause alone would make this gap at least pausedFor.
    // Compared with the pause itself, not a fixed budget, so a slow step on a loaded machine cannot fail it.
    const gap =
      (points[paused.step] as { wallMs: number }).wallMs - (points[paused.step - 1] as { wallMs: number }).wallMs
    expect(gap).toBeLessThan(pausedFor)
  })

  it('cancels: cancelled at a step, with a checkpoint of exactly that step', async () => {
    const job = distillJob(root.dir, teacherPath, { steps: STEPS })
    host.start(job)
    await firstMetrics(job.runId)
    host.cancel()
    const end = await log.terminal(job.runId)
    expect(end.type).toBe('cancelled')
    expect(end.step).toBeGreaterThan(0)
    expect(end.step).toBeLessThan(STEPS)
    expect(readCheckpoint(join(job.checkpointDir, 'latest.ckpt')).header.step).toBe(end.step)
    expect(log.of('checkpoint', job.runId).at(-1)).toMatchObject({ step: end.step, role: 'latest' })
    expect(existsSync(join(job.checkpointDir, 'final.ckpt'))).toBe(false)
    expect(log.of('evaluation', job.runId)).toHaveLength(0)
    expect(host.activeRunId).toBeNull()
  })

  it('cancels while paused', async () => {
    const job = distillJob(root.dir, teacherPath, { steps: STEPS })
    host.start(job)
    await firstMetrics(job.runId)
    host.pause()
    const paused = await log.waitFor((e) => e.type === 'paused' && e.runId === job.runId)
    host.cancel()
    const end = await log.terminal(job.runId)
    expect(end).toMatchObject({ type: 'cancelled', step: (paused as { step: number }).step })
  })

  it('refuses an invalid job with a message naming the field, and stays usable', async () => {
    const good = distillJob(root.dir, teacherPath)
    const job = { ...good, config: { ...good.config, numScales: 1 } }
    host.start(job)
    const end = await log.terminal(job.runId)
    expect(end.type).toBe('failed')
    if (end.type !== 'failed') return
    expect(end.error.code).toBe('INVALID_JOB')
    expect(end.error.message).toContain('job.config.numScales: N must be at least 2 (got 1)')

    const noDir = { ...distillJob(root.dir, teacherPath), samplesDir: undefined } as unknown as typeof good
    host.start(noDir)
    const second = await log.terminal(noDir.runId)
    expect(second.type === 'failed' && second.error).toMatchObject({
      code: 'INVALID_JOB',
      message: expect.stringContaining('job.samplesDir'),
    })

    const missing = distillJob(root.dir, join(root.dir, 'no-such-teacher.ckpt'))
    host.start(missing)
    const third = await log.terminal(missing.runId)
    expect(third.type === 'failed' && third.error).toMatchObject({
      code: 'TEACHER',
      message: expect.stringContaining('no-such-teacher.ckpt'),
    })
  })

  it('fails a non-finite loss with NON_FINITE_LOSS and keeps running', async () => {
    const bad = readCheckpoint(teacherPath)
    const w = bad.arrays['teacher/layer0.W']
    if (!w) throw new Error('teacher has no layer0.W')
    w.data[0] = Number.NaN
    const nanTeacher = join(root.dir, 'nan-teacher.ckpt')
    writeCheckpoint(nanTeacher, bad)
    const job = distillJob(root.dir, nanTeacher)
    host.start(job)
    const end = await log.terminal(job.runId)
    expect(end.type === 'failed' && end.error).toMatchObject({
      code: 'NON_FINITE_LOSS',
      message: expect.stringContaining('loss became NaN at step 1'),
    })
    expect(end.step).toBe(0)
  })

  it('trains a teacher and writes teacher.ckpt', async () => {
    const runId = 'teacher-1'
    const job: TeacherJob = {
      kind: 'teacher',
      runId,
      config: parseTeacherConfig({ ...TINY_TEACHER, steps: 20 }),
      outDir: join(root.dir, runId, 'out'),
      checkpointDir: join(root.dir, runId, 'checkpoints'),
      checkpointEvery: 10,
      evalSamples: 64,
    }
    host.start(job)
    const end = await log.terminal(runId)
    expect(end).toMatchObject({ type: 'finished', step: 20 })
    expect(log.points(runId).map((p) => p.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    const teacher = readCheckpoint(join(job.outDir, 'teacher.ckpt'))
    expect(teacher.header).toMatchObject({ kind: 'teacher', step: 20 })
    expect(log.of('checkpoint', runId).map((c) => `${c.role}@${c.step}`)).toEqual(['latest@10', 'teacher@20'])
    const [evaluation] = log.of('evaluation', runId)
    expect(evaluation?.agreement).toBeNull()
    expect(evaluation?.rows.map((r) => `${r.model}${r.nfe}`)).toEqual(
      expect.arrayContaining(['teacher1', 'teacher10', 'teacher100']),
    )
  })
  it('pauses, resumes and cancels a teacher job, keeping its steps contiguous', async () => {
    const runId = 'teacher-2'
    const job: TeacherJob = {
      kind: 'teacher',
      runId,
      config: parseTeacherConfig({ ...TINY_TEACHER, steps: 100_000 }),
      outDir: join(root.dir, runId, 'out'),
      checkpointDir: join(root.dir, runId, 'checkpoints'),
      evalSamples: 64,
    }
    host.start(job)
    await firstMetrics(runId)
    host.pause()
    const paused = (await log.waitFor((e) => e.type === 'paused' && e.runId === runId)) as { step: number }
    expect(readCheckpoint(join(job.checkpointDir, 'latest.ckpt')).header.step).toBe(paused.step)
    host.resume()
    await log.waitFor((e) => e.type === 'metrics' && e.runId === runId && (e.points[0]?.step ?? 0) > paused.step)
    host.cancel()
    const end = await log.terminal(runId)
    expect(end.type).toBe('cancelled')
    expect(end.step).toBeGreaterThan(paused.step)
    expect(log.points(runId).map((p) => p.step)).toEqual(Array.from({ length: end.step }, (_, i) => i + 1))
    expect(readCheckpoint(join(job.checkpointDir, 'latest.ckpt')).header.step).toBe(end.step)
    expect(existsSync(join(job.outDir, 'teacher.ckpt'))).toBe(false)
  })
})

describe('an engine process that dies', () => {
  it('kill -9 mid-run becomes failed ENGINE_EXITED naming the signal and the step', async () => {
    const dying = new ForkedEngineHost()
    const events = new EventLog(dying)
    const job = distillJob(root.dir, teacherPath, { steps: STEPS })
    dying.start(job)
    await events.waitFor((e) => e.type === 'metrics' && e.runId === job.runId)
    expect(dying.pid).toBeGreaterThan(0)
    dying.kill('SIGKILL')
    const end = await events.terminal(job.runId)
    expect(end.type).toBe('failed')
    if (end.type !== 'failed') return
    expect(end.error.code).toBe('ENGINE_EXITED')
    expect(end.error.message).toMatch(/^engine process exited with signal SIGKILL during step \d+/)
    expect(end.step).toBeGreaterThan(0)
    expect(end.error.message).toContain(`during step ${end.step + 1}`)
    expect(await dying.exited).toEqual({ code: null, signal: 'SIGKILL' })
    expect(events.types().slice(-2)).toEqual(['failed', 'exit'])
    expect(() => dying.start(distillJob(root.dir, teacherPath))).toThrow(/exited/)
  })

  it('an unexpected error is reported as failed INTERNAL, then the process exits with code 1 (no second terminal event)', async () => {
    // A resume checkpoint without its optimizer moments: the engine throws a plain Error while restoring.
    // (Should the engine come to report this as a typed error, the host would map it to CHECKPOINT and
    // this test would need another way to provoke an unexpected error.)
    const teacher = loadTeacher(teacherPath, 'moons')
    const distiller = new Distiller(tinyDistillConfig(teacherPath), teacher.model, 'cpu')
    const snapshot = await distiller.snapshot()
    distiller.dispose()
    teacher.model.weights.dispose()
    for (const name of Object.keys(snapshot.arrays)) if (name.startsWith('adam.m/')) delete snapshot.arrays[name]
    const broken = join(root.dir, 'no-moments.ckpt')
    writeCheckpoint(broken, snapshot)

    const crashing = new ForkedEngineHost()
    const events = new EventLog(crashing)
    const job = distillJob(root.dir, teacherPath, {}, { resumeFrom: broken })
    crashing.start(job)
    const end = await events.terminal(job.runId)
    expect(end.type === 'failed' && end.error).toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('first moment'),
    })
    expect(await crashing.exited).toEqual({ code: 1, signal: null })
    expect(events.of('failed')).toHaveLength(1)
    expect(events.of('log').some((l) => l.stream === 'stderr' && l.line.includes('first moment'))).toBe(true)
  })
})
