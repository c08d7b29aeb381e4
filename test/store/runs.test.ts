import { describe, expect, it } from 'vitest'
import {
  RunNotFoundError,
  StoreInputError,
  TeacherInUseError,
  TeacherNotFoundError,
  newRunId,
} from '../../src-main/store'
import { newRun, tempStore } from './helpers'

describe('run ids', () => {
  it('sort by creation time and do not repeat', () => {
    const a = newRunId(Date.UTC(2026, 0, 2, 3, 4, 5))
    expect(a).toMatch(/^20260102-030405-[0-9a-z]{8}$/)
    expect(newRunId(Date.UTC(2026, 0, 2, 3, 4, 6)) > a).toBe(true)
    const many = new Set(Array.from({ length: 2000 }, () => newRunId(0)))
    expect(many.size).toBe(2000)
  })
})

describe('run lifecycle', () => {
  it('writes the config at creation, then records start, backend, finish', () => {
    const store = tempStore()
    const config = { steps: 500, lr: 3e-4, nested: { grid: 'karras' } }
    const run = newRun(store, { config, tags: ['sweep', 'baseline'], notes: 'first try', now: 1000 })
    expect(run).toMatchObject({
      kind: 'distill',
      status: 'queued',
      config,
      seed: 7,
      appVersion: '0.1.0-test',
      createdAt: 1000,
      startedAt: null,
      finishedAt: null,
    })
    expect(run.tags).toEqual(['baseline', 'sweep'])
    expect(store.runs.getRun(run.id).config).toEqual(config)

    const started = store.runs.updateStatus(run.id, 'running', { now: 2000 })
    expect(started).toMatchObject({ status: 'running', startedAt: 2000, finishedAt: null })
    store.runs.setBackend(run.id, 'wasm')
    store.runs.updateStatus(run.id, 'paused', { now: 2500 })
    expect(store.runs.updateStatus(run.id, 'running', { now: 2600 }).startedAt).toBe(2000) // first start is kept
    const done = store.runs.updateStatus(run.id, 'finished', { now: 3000 })
    expect(done).toMatchObject({ status: 'finished', backend: 'wasm', startedAt: 2000, finishedAt: 3000, error: null })
  })

  it('records a failure with its error, and a resume clears it', () => {
    const store = tempStore()
    const run = newRun(store, { status: 'running' })
    const failed = store.runs.updateStatus(run.id, 'failed', { error: 'the disk is full' })
    expect(failed.error).toBe('the disk is full')
    expect(failed.finishedAt).not.toBeNull()
    const resumed = store.runs.updateStatus(run.id, 'running')
    expect(resumed).toMatchObject({ error: null, finishedAt: null })
    store.runs.setError(run.id, 'later problem')
    store.runs.setNotes(run.id, 'see the lr')
    expect(store.runs.getRun(run.id)).toMatchObject({ error: 'later problem', notes: 'see the lr' })
  })

  it('links resumed and branched runs to their parent; deleting the parent keeps the children', () => {
    const store = tempStore()
    const parent = newRun(store)
    const child = newRun(store, { parentRunId: parent.id, parentKind: 'branch', parentStep: 400 })
    expect(child).toMatchObject({ parentRunId: parent.id, parentKind: 'branch', parentStep: 400 })
    expect(store.runs.listRuns({ parentRunId: parent.id }).map((r) => r.id)).toEqual([child.id])
    expect(() => newRun(store, { parentRunId: 'nope', parentKind: 'resume' })).toThrow(RunNotFoundError)
    expect(() => newRun(store, { parentRunId: parent.id })).toThrow(StoreInputError)
    const deleted = store.runs.deleteRun(parent.id)
    expect(deleted.dir).toBe(`${store.paths.runs}/${parent.id}`)
    expect(store.runs.getRun(child.id).parentRunId).toBeNull()
  })

  it('deleteRun removes the run with its metrics, tags and artifacts', () => {
    const store = tempStore()
    const run = newRun(store, { tags: ['x'] })
    store.metrics.appendMetrics(run.id, [{ key: 'loss', step: 0, value: 1 }])
    store.checkpoints.addCheckpoint(run.id, { step: 0, path: 'checkpoints/step-0.ckpt', bytes: 10 })
    store.evaluations.addEvaluations(run.id, [{ step: 0, metric: 'swd', model: 'student', nfe: 1, value: 0.3 }])
    store.samples.addSample(run.id, {
      step: 0,
      nfe: 1,
      kind: 'points2d',
      model: 'student',
      role: 'final',
      noiseSeed: 1,
      data: new Uint8Array([1, 2]),
    })
    store.runs.deleteRun(run.id)
    for (const table of [
      'runs',
      'run_tags',
      'metric_series',
      'metric_points',
      'metric_blocks',
      'checkpoints',
      'evaluations',
      'samples',
    ]) {
      expect(store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), table).toBe(0)
    }
    expect(() => store.runs.deleteRun(run.id)).toThrow(RunNotFoundError)
  })
})

describe('a run id that does not exist', () => {
  it('gives RunNotFoundError naming the id from every call that takes one', () => {
    const store = tempStore()
    const id = '20990101-000000-missing0'
    const calls: [string, () => unknown][] = [
      ['getRun', () => store.runs.getRun(id)],
      ['updateStatus', () => store.runs.updateStatus(id, 'running')],
      ['setError', () => store.runs.setError(id, 'x')],
      ['setNotes', () => store.runs.setNotes(id, 'x')],
      ['setBackend', () => store.runs.setBackend(id, 'cpu')],
      ['tag', () => store.runs.tag(id, ['a'])],
      ['untag', () => store.runs.untag(id, ['a'])],
      ['deleteRun', () => store.runs.deleteRun(id)],
      ['appendMetrics', () => store.metrics.appendMetrics(id, [{ key: 'loss', step: 1, value: 1 }])],
      ['readSeries', () => store.metrics.readSeries(id, 'loss')],
      ['readDownsampled', () => store.metrics.readDownsampled(id, 'loss', { buckets: 10 })],
      ['listSeries', () => store.metrics.listSeries(id)],
      ['deleteMetricsAfter', () => store.metrics.deleteMetricsAfter(id, 0)],
      [
        'addEvaluations',
        () => store.evaluations.addEvaluations(id, [{ step: 0, metric: 'swd', model: 'ema', nfe: 1, value: 1 }]),
      ],
      ['listEvaluations', () => store.evaluations.listEvaluations(id)],
      [
        'addSample',
        () =>
          store.samples.addSample(id, {
            step: 0,
            nfe: 1,
            kind: 'png',
            model: 'student',
            role: 'final',
            noiseSeed: 1,
            path: 'samples/a.png',
          }),
      ],
      ['listSamples', () => store.samples.listSamples(id)],
      ['addCheckpoint', () => store.checkpoints.addCheckpoint(id, { step: 0, path: 'checkpoints/a', bytes: 1 })],
      ['listCheckpoints', () => store.checkpoints.listCheckpoints(id)],
      ['latestCheckpoint', () => store.checkpoints.latestCheckpoint(id)],
    ]
    for (const [name, call] of calls) {
      let error: unknown
      try {
        call()
      } catch (e) {
        error = e
      }
      expect(error, name).toBeInstanceOf(RunNotFoundError)
      expect((error as RunNotFoundError).message, name).toContain(id)
      expect((error as RunNotFoundError).code).toBe('RUN_NOT_FOUND')
    }
    expect(store.runs.findRun(id)).toBeUndefined()
    expect(store.db.prepare('SELECT count(*) FROM metric_series').pluck().get()).toBe(0)
  })
})

describe('tags', () => {
  it('adds, removes, filters by all given tags and counts', () => {
    const store = tempStore()
    const a = newRun(store, { tags: ['sweep'] })
    const b = newRun(store)
    expect(store.runs.tag(b.id, ['sweep', 'good', 'sweep'])).toEqual(['good', 'sweep'])
    expect(store.runs.tag(a.id, ['sweep'])).toEqual(['sweep']) // idempotent
    expect(
      store.runs
        .listRuns({ tags: ['sweep'] })
        .map((r) => r.id)
        .sort(),
    ).toEqual([a.id, b.id].sort())
    expect(store.runs.listRuns({ tags: ['sweep', 'good'] }).map((r) => r.id)).toEqual([b.id])
    expect(store.runs.allTags()).toEqual([
      { tag: 'good', runs: 1 },
      { tag: 'sweep', runs: 2 },
    ])
    expect(store.runs.untag(b.id, ['good'])).toEqual(['sweep'])
    expect(() => store.runs.tag(a.id, ['a,b'])).toThrow(StoreInputError)
    expect(() => store.runs.tag(a.id, [''])).toThrow(StoreInputError)
  })
})

describe('listRuns', () => {
  it('lists newest first with tags and the last value of every metric, with filters', () => {
    const store = tempStore()
    const old = newRun(store, { now: 1000, kind: 'teacher', notes: 'Moons teacher' })
    const mid = newRun(store, { now: 2000, status: 'running' })
    const recent = newRun(store, { now: 3000, tags: ['t'] })
    store.metrics.appendMetrics(mid.id, [
      { key: 'loss', step: 0, value: 2 },
      { key: 'loss', step: 10, value: 1.5 },
      { key: 'lr', step: 10, value: 1e-4 },
    ])
    store.metrics.appendMetrics(mid.id, [{ key: 'loss', step: 20, value: Number.NaN }])
    const list = store.runs.listRuns()
    expect(list.map((r) => r.id)).toEqual([recent.id, mid.id, old.id])
    const m = list[1]
    expect(m?.lastMetrics.lr).toEqual({ step: 10, value: 1e-4 })
    expect(m?.lastMetrics.loss?.step).toBe(20)
    expect(m?.lastMetrics.loss?.value).toBeNaN()
    expect(list[0]?.tags).toEqual(['t'])
    expect(list[0]?.lastMetrics).toEqual({})
    expect(store.runs.listRuns({ metricKeys: ['lr'] })[1]?.lastMetrics).toEqual({ lr: { step: 10, value: 1e-4 } })
    expect(store.runs.listRuns({ kind: 'teacher' }).map((r) => r.id)).toEqual([old.id])
    expect(store.runs.listRuns({ status: ['running', 'finished'] }).map((r) => r.id)).toEqual([mid.id])
    expect(store.runs.listRuns({ text: 'moons' }).map((r) => r.id)).toEqual([old.id])
    expect(store.runs.listRuns({ createdAfter: 1500, createdBefore: 3000 }).map((r) => r.id)).toEqual([mid.id])
    expect(store.runs.listRuns({ limit: 1, offset: 1 }).map((r) => r.id)).toEqual([mid.id])
    expect(store.metrics.lastMetrics(mid.id).lr).toEqual({ step: 10, value: 1e-4 })
  })
})

describe('start-up recovery', () => {
  it('marks runs of dead processes interrupted, leaves live and other hosts alone', () => {
    const store = tempStore()
    const dead = newRun(store)
    store.runs.updateStatus(dead.id, 'running', { owner: { host: 'here', pid: 111 } })
    const pausedDead = newRun(store)
    store.runs.updateStatus(pausedDead.id, 'paused', { owner: { host: 'here', pid: 112 } })
    const alive = newRun(store)
    store.runs.updateStatus(alive.id, 'running', { owner: { host: 'here', pid: 222 } })
    const elsewhere = newRun(store)
    store.runs.updateStatus(elsewhere.id, 'running', { owner: { host: 'gpu-box', pid: 111 } })
    const finished = newRun(store)
    store.runs.updateStatus(finished.id, 'finished')
    const queued = newRun(store)

    const changed = store.runs.markRunningAsInterrupted({ host: 'here', isAlive: (pid) => pid === 222, now: 9000 })
    expect(changed.sort()).toEqual([dead.id, pausedDead.id].sort())
    expect(store.runs.getRun(dead.id)).toMatchObject({ status: 'interrupted', finishedAt: 9000 })
    expect(store.runs.getRun(dead.id).error).toMatch(/stopped unexpectedly/)
    expect(store.runs.getRun(alive.id).status).toBe('running')
    expect(store.runs.getRun(elsewhere.id).status).toBe('running')
    expect(store.runs.getRun(finished.id).status).toBe('finished')
    expect(store.runs.getRun(queued.id).status).toBe('queued')
    expect(store.runs.markRunningAsInterrupted({ host: 'here', isAlive: () => true })).toEqual([])
  })

  it('by default checks real process ids on this host', () => {
    const store = tempStore()
    const run = newRun(store)
    store.runs.updateStatus(run.id, 'running') // owned by this (live) process: left alone
    expect(store.runs.markRunningAsInterrupted()).toEqual([])
  })
})

describe('teachers', () => {
  it('adds, lists, links runs and refuses to delete a teacher in use', () => {
    const store = tempStore()
    const trainer = newRun(store, { kind: 'teacher' })
    const teacher = store.teachers.addTeacher({
      id: 'moons-1',
      name: 'Moons',
      dataset: 'moons',
      path: 'teachers/moons-1/teacher.ckpt',
      config: { width: 128 },
      runId: trainer.id,
      now: 5,
    })
    expect(teacher).toMatchObject({ id: 'moons-1', runId: trainer.id, config: { width: 128 }, createdAt: 5 })
    expect(store.teachers.listTeachers({ dataset: 'moons' }).map((t) => t.id)).toEqual(['moons-1'])
    expect(store.teachers.listTeachers({ dataset: 'rings' })).toEqual([])
    const student = newRun(store, { teacherId: 'moons-1' })
    expect(store.runs.listRuns({ teacherId: 'moons-1' }).map((r) => r.id)).toEqual([student.id])
    expect(() => newRun(store, { teacherId: 'ghost' })).toThrow(TeacherNotFoundError)
    expect(() => store.teachers.deleteTeacher('moons-1')).toThrow(TeacherInUseError)
    store.runs.deleteRun(student.id)
    store.runs.deleteRun(trainer.id)
    expect(store.teachers.deleteTeacher('moons-1').id).toBe('moons-1')
    expect(() => store.teachers.getTeacher('moons-1')).toThrow(TeacherNotFoundError)
  })
})
