/**
 * RunService end to end: a real SQLite history in a temp data folder, real engine child processes
 * (cpu backend, a tiny teacher), real checkpoint files.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DistillConfig } from '@shared/config/schemas'
import { ConfigError } from '@shared/config/validate'
import type { RunStatus } from '@shared/store/types'
import type { DistillHeader, Snapshot } from '../../src-main/engine/snapshot'
import { decodeCheckpoint, encodeCheckpoint } from '../../src-main/files/checkpoint-file'
import { RunService, RunStateError, cartesian, type RunUpdate } from '../../src-main/services/run-service'
import { openLabStore, RunNotFoundError, type LabStore } from '../../src-main/store'
import { makeTinyTeacher, tempDir } from '../trainer-host/helpers'

let root: { dir: string; remove: () => void }
let teacherPath: string
let store: LabStore
let service: RunService
const updates: RunUpdate[] = []

// No live previews here (the API contract suite covers them): they would only slow these lifecycle tests.
const tiny = () => ({
  teacher: teacherPath,
  batch: 16,
  steps: 40,
  evalSamples: 64,
  checkpointEvery: 10,
  sampleEvery: 0,
  backend: 'cpu',
})

beforeAll(async () => {
  root = tempDir('run-service')
  teacherPath = join(root.dir, 'teacher.ckpt')
  await makeTinyTeacher(teacherPath)
  store = openLabStore({ dataDir: join(root.dir, 'data') })
  service = new RunService({ store })
  service.subscribe((u) => updates.push(u))
})

afterAll(async () => {
  await service?.close()
  store?.close()
  root?.remove()
})

function waitFor(id: string, statuses: RunStatus[], timeoutMs = 60_000): Promise<RunStatus> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const status = store.runs.getRun(id).status
      if (statuses.includes(status)) {
        clearInterval(timer)
        resolve(status)
      }
    }
    const timer = setInterval(check, 20)
    setTimeout(() => {
      clearInterval(timer)
      reject(new Error(`run ${id} did not reach ${statuses.join('/')} (is ${store.runs.getRun(id).status})`))
    }, timeoutMs).unref()
  })
}

function losses(id: string): number[] {
  return store.metrics.readSeries(id, 'loss').map((p) => p.value)
}

describe('RunService', () => {
  it('records a run from config to finished: every step, checkpoints, evaluations, samples, throttled updates', async () => {
    const started = Date.now()
    const run = await service.startDistill(tiny(), { tags: ['smoke'] })
    expect(store.runs.getRun(run.id).config).toMatchObject({ steps: 40, batch: 16 })
    await service.whenIdle()
    const done = store.runs.getRun(run.id)
    expect(done.status).toBe('finished')
    expect(done.backend).toBe('cpu')
    expect(done.tags).toEqual(['smoke'])
    expect(store.metrics.readSeries(run.id, 'loss').map((p) => p.step)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    )
    expect(store.checkpoints.latestCheckpoint(run.id)?.step).toBe(40)
    const evaluations = store.evaluations.listEvaluations(run.id, { metric: 'swd' })
    expect(evaluations.some((e) => e.model === 'teacher' && e.nfe === 100)).toBe(true)
    expect(evaluations.some((e) => e.model === 'student' && e.nfe === 1)).toBe(true)
    expect(store.samples.listSamples(run.id).map((s) => s.nfe)).toEqual(expect.arrayContaining([1, 2]))
    const metricUpdates = updates.filter((u) => u.type === 'metrics' && u.runId === run.id)
    expect(metricUpdates.length).toBeGreaterThan(0)
    // At most 10 metric updates per second per run (plus the final flush).
    expect(metricUpdates.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 100) + 1)
    const points = metricUpdates.flatMap((u) =>
      u.type === 'metrics' ? u.points.filter((p) => p.key === 'loss').map((p) => p.step) : [],
    )
    expect(points).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(updates.some((u) => u.type === 'run' && u.run.id === run.id && u.run.status === 'finished')).toBe(true)
  })

  it('queues runs one at a time and cancels a queued one without starting it', async () => {
    const a = await service.startDistill({ ...tiny(), steps: 60 })
    const b = await service.startDistill(tiny())
    const c = await service.startDistill(tiny())
    expect(store.runs.getRun(b.id).status).toBe('queued')
    service.cancel(c.id)
    expect(store.runs.getRun(c.id).status).toBe('cancelled')
    await service.whenIdle()
    expect(store.runs.getRun(a.id).status).toBe('finished')
    expect(store.runs.getRun(b.id).status).toBe('finished')
    expect(store.runs.getRun(c.id).startedAt).toBeNull()
    // b started after a finished.
    expect(store.runs.getRun(b.id).startedAt as number).toBeGreaterThanOrEqual(
      store.runs.getRun(a.id).finishedAt as number,
    )
  })

  it('a cancelled run resumes from its checkpoint with the same loss sequence as an uninterrupted run', async () => {
    const reference = await service.startDistill({ ...tiny(), steps: 200 })
    await service.whenIdle()
    const run = await service.startDistill({ ...tiny(), steps: 200 })
    await waitFor(run.id, ['running'])
    await new Promise((r) => setTimeout(r, 300))
    service.cancel(run.id)
    await waitFor(run.id, ['cancelled'])
    const stoppedAt = store.checkpoints.latestCheckpoint(run.id)?.step as number
    expect(stoppedAt).toBeGreaterThan(0)
    expect(stoppedAt).toBeLessThan(200)
    await service.resume(run.id)
    await service.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('finished')
    expect(losses(run.id)).toEqual(losses(reference.id))
  })

  it("a checkpoint written before teacherSubsteps, topPairShare and sigmaMax existed resumes as the single teacher step, uniform n and teacher's top it was", async () => {
    const run = await service.startDistill({
      ...tiny(),
      teacherSubsteps: 1,
      topPairShare: 0,
      sigmaMax: null,
      steps: 200,
    })
    await waitFor(run.id, ['running'])
    await new Promise((r) => setTimeout(r, 300))
    service.cancel(run.id)
    await waitFor(run.id, ['cancelled'])
    await service.whenIdle()
    const checkpoint = store.checkpoints.latestCheckpoint(run.id)
    expect(checkpoint?.step).toBeLessThan(200)
    const path = join(store.paths.root, 'runs', run.id, checkpoint?.path as string)
    const snapshot = decodeCheckpoint(readFileSync(path)) as Snapshot<DistillHeader>
    const { teacherSubsteps: _substeps, topPairShare: _share, sigmaMax: _top, ...olderConfig } = snapshot.header.config
    writeFileSync(
      path,
      encodeCheckpoint({ ...snapshot, header: { ...snapshot.header, config: olderConfig as DistillConfig } }),
    )
    await service.resume(run.id)
    await service.whenIdle()
    expect(store.runs.getRun(run.id)).toMatchObject({ status: 'finished', error: null })
    expect(store.metrics.readSeries(run.id, 'loss').map((p) => p.step)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    )
  })

  it('pauses and resumes a running run', async () => {
    const run = await service.startDistill({ ...tiny(), steps: 300 })
    await waitFor(run.id, ['running'])
    service.pause(run.id)
    await waitFor(run.id, ['paused'])
    const pausedAt = store.metrics.readSeries(run.id, 'loss').length
    await new Promise((r) => setTimeout(r, 200))
    expect(store.metrics.readSeries(run.id, 'loss').length).toBe(pausedAt)
    await service.resume(run.id)
    await service.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('finished')
    expect(store.metrics.readSeries(run.id, 'loss').map((p) => p.step)).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    )
  })

  it('a killed engine fails its run with the reason, and the service keeps working', async () => {
    const run = await service.startDistill({ ...tiny(), steps: 5000 })
    await waitFor(run.id, ['running'])
    await new Promise((r) => setTimeout(r, 200))
    const active = (service as unknown as { active: Map<string, { host: { kill(signal: string): void } }> }).active.get(
      run.id,
    )
    active?.host.kill('SIGKILL')
    await waitFor(run.id, ['failed'])
    expect(store.runs.getRun(run.id).error).toMatch(/ENGINE_EXITED: engine process exited with signal SIGKILL/)
    const next = await service.startDistill(tiny())
    await service.whenIdle()
    expect(store.runs.getRun(next.id).status).toBe('finished')
  })

  it('branches from a checkpoint with edited hyperparameters, recording the parent', async () => {
    const parent = await service.startDistill(tiny())
    await service.whenIdle()
    const child = await service.branch(parent.id, { lr: 5e-5, steps: 60, targetEma: 0.9 })
    await service.whenIdle()
    const run = store.runs.getRun(child.id)
    expect(run).toMatchObject({ status: 'finished', parentRunId: parent.id, parentKind: 'branch', parentStep: 40 })
    expect(store.metrics.readSeries(child.id, 'loss').map((p) => p.step)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 41),
    )
    await expect(service.branch(parent.id, { algorithm: 'ct', steps: 60 })).rejects.toThrow(
      /a branch must keep the parent's algorithm/,
    )
    // The checkpoint's student was distilled from the parent's teacher: another one is refused by name.
    const teacherChange = await service.branch(parent.id, { teacher: 'builtin', steps: 60 }).then(
      () => null,
      (error: unknown) => error,
    )
    expect(teacherChange).toBeInstanceOf(ConfigError)
    expect((teacherChange as ConfigError).problems).toEqual([
      expect.objectContaining({ field: 'teacher', value: 'builtin' }),
    ])
  })

  it('sweeps a grid: one run per point, tagged together; a bad point queues nothing', async () => {
    expect(cartesian({ numScales: [10, 18], targetEma: [0.9, 0.95] })).toHaveLength(4)
    const before = store.runs.listRuns().length
    await expect(service.sweep(tiny(), { numScales: [10, 1] })).rejects.toThrow(ConfigError)
    expect(store.runs.listRuns().length).toBe(before)
    const runs = await service.sweep({ ...tiny(), steps: 10 }, { numScales: [6, 8], targetEma: [0.9, 0.95] })
    expect(runs).toHaveLength(4)
    const tag = `sweep:${runs[0]?.id}`
    await service.whenIdle()
    const tagged = store.runs.listRuns({ tags: [tag] })
    expect(tagged).toHaveLength(4)
    expect(tagged.every((r) => r.status === 'finished')).toBe(true)
    expect(
      new Set(
        runs.map((r) =>
          JSON.stringify([
            (r.config as { numScales: number }).numScales,
            (r.config as { targetEma: number }).targetEma,
          ]),
        ),
      ).size,
    ).toBe(4)
  })

  it('deletes a run with its folder; refuses bad input with named errors', async () => {
    const run = await service.startDistill({ ...tiny(), steps: 10 })
    await service.whenIdle()
    const dir = join(store.paths.root, 'runs', run.id)
    expect(existsSync(dir)).toBe(true)
    await service.delete(run.id)
    expect(existsSync(dir)).toBe(false)
    expect(() => service.get(run.id)).toThrow(RunNotFoundError)
    await expect(service.startDistill({ ...tiny(), numScales: 1 })).rejects.toThrow(
      /numScales: N must be at least 2 \(got 1\)/,
    )
    await expect(service.startDistill({ ...tiny(), teacher: '/nope.ckpt' })).rejects.toThrow(
      /teacher: checkpoint \/nope.ckpt does not exist/,
    )
    expect(() => service.pause('20260101-000000-nothere')).toThrow(RunNotFoundError)
    const finished = await service.startDistill({ ...tiny(), steps: 5 })
    await service.whenIdle()
    expect(() => service.pause(finished.id)).toThrow(RunStateError)
  })

  it('on start-up marks runs left running by a dead process as interrupted; they resume from their checkpoint', async () => {
    const run = await service.startDistill({ ...tiny(), steps: 30 })
    await service.whenIdle()
    // Simulate a crash of the owning process after step 30 of a 60-step run.
    store.db
      .prepare(
        `UPDATE runs SET status = 'running', owner_host = NULL, owner_pid = NULL, config_json = json_set(config_json, '$.steps', 60) WHERE id = ?`,
      )
      .run(run.id)
    const fresh = new RunService({ store })
    expect(fresh.recover()).toContain(run.id)
    expect(store.runs.getRun(run.id).status).toBe('interrupted')
    await fresh.resume(run.id)
    await fresh.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('finished')
    expect(store.metrics.readSeries(run.id, 'loss').map((p) => p.step)).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1),
    )
    await fresh.close()
  })

  it('a full disk stops the run cleanly with a clear error; the history stays intact and usable', async () => {
    const run = await service.startDistill({ ...tiny(), steps: 5000 })
    await waitFor(run.id, ['running'])
    await new Promise((r) => setTimeout(r, 300))
    // No room for one more page: the next metric batch cannot be written. Runs deleted by earlier tests left
    // free pages inside the file, which would take writes for a long while, so a filler row uses them up.
    const freePages = store.db.pragma('freelist_count', { simple: true }) as number
    const pageSize = store.db.pragma('page_size', { simple: true }) as number
    store.db.exec(
      `CREATE TABLE IF NOT EXISTS test_filler (x BLOB); INSERT INTO test_filler VALUES (zeroblob(${Math.max(0, freePages - 1) * pageSize}))`,
    )
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`)
    await waitFor(run.id, ['failed'])
    expect(store.runs.getRun(run.id).error).toMatch(/the run history could not be written: the disk holding .* is full/)
    store.db.pragma('max_page_count = 1073741823')
    store.db.exec('DROP TABLE test_filler')
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok')
    await service.whenIdle()
    const next = await service.startDistill({ ...tiny(), steps: 10 })
    await service.whenIdle()
    expect(store.runs.getRun(next.id).status).toBe('finished')
  })

  it('resuming from a corrupt checkpoint fails the run with a clear CHECKPOINT error', async () => {
    const run = await service.startDistill({ ...tiny(), steps: 400 })
    await waitFor(run.id, ['running'])
    await new Promise((r) => setTimeout(r, 200))
    service.cancel(run.id)
    await waitFor(run.id, ['cancelled'])
    await service.whenIdle()
    const checkpoint = store.checkpoints.latestCheckpoint(run.id)
    const path = join(store.paths.root, 'runs', run.id, checkpoint?.path as string)
    const bytes = readFileSync(path)
    writeFileSync(path, bytes.subarray(0, bytes.length - 100))
    await service.resume(run.id)
    await service.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('failed')
    expect(store.runs.getRun(run.id).error).toMatch(/CHECKPOINT: checkpoint .*: truncated/)
  })
})
