/**
 * Issue #15, the run service's findings: the teacher path of a config over the API (#15.3), the size of a sweep
 * (#15.4), queued runs after their owner dies (#15.9) and a run whose engine is gone while the history cannot
 * be written (#15.10). A real history, real engine processes, the real `clab` process for the crash.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, copyFileSync, existsSync, ftruncateSync, openSync, realpathSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiResult } from '@shared/ipc/api'
import type { RunStatus } from '@shared/store/types'
import { openLabStore } from '../../src-main/store'
import { RunService } from '../../src-main/services/run-service'
import { clab } from '../helpers/cli'
import { tempFolders } from '../helpers/temp'
import { startBackend, type Backend } from '../api/harness'

let backend: Backend
const folders = tempFolders()

beforeAll(async () => {
  backend = await startBackend('security-runs')
})

afterAll(async () => {
  await backend?.close()
})

const tiny = () => ({
  teacher: backend.teacherPath,
  batch: 16,
  steps: 40,
  evalSamples: 64,
  checkpointEvery: 10,
  sampleEvery: 0,
  warmupSteps: 0,
  backend: 'cpu',
})

function failure(result: ApiResult<unknown>): { code: string; message: string; field?: string } {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value).slice(0, 200)}`)
  return result.error
}

async function waitForStatus(read: () => RunStatus, statuses: RunStatus[], timeoutMs = 60_000): Promise<RunStatus> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const status = read()
    if (statuses.includes(status)) return status
    if (Date.now() > until) throw new Error(`status stayed ${status}, expected ${statuses.join('/')}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('#15.3 the teacher path of a config over the API', () => {
  it('#15.3 a FIFO, /dev/zero, a huge file or a file outside the data folder is refused at once, naming teacher', async () => {
    const client = backend.clients.websocket
    const fifo = join(backend.dataDir, 'teacher.fifo')
    execFileSync('mkfifo', [fifo])
    const huge = join(backend.dataDir, 'huge.ckpt')
    // A sparse file: 600 MiB long, no disk used.
    const fd = openSync(huge, 'w')
    ftruncateSync(fd, 600 << 20)
    closeSync(fd)
    // A real teacher outside the data folder, directly and through a symlink planted inside it.
    const outside = join(backend.root, 'outside.ckpt')
    copyFileSync(backend.teacherPath, outside)
    symlinkSync(backend.root, join(backend.dataDir, 'escape'))
    const before = backend.store.runs.listRuns().length
    for (const [teacher, reason] of [
      [fifo, /is not a regular file/],
      ['teacher.fifo', /is not a regular file/],
      [huge, /more than the \d+ allowed/],
      ['/dev/zero', /not inside the data folder/],
      [outside, /not inside the data folder/],
      ['../outside.ckpt', /not inside the data folder/],
      ['escape/outside.ckpt', /not inside the data folder/],
      ['escape/no-such.ckpt', /not inside the data folder/],
    ] as const) {
      for (const method of ['runs.start', 'config.validate'] as const) {
        const payload =
          method === 'runs.start'
            ? { config: { ...tiny(), teacher } }
            : { kind: 'distill' as const, config: { ...tiny(), teacher } }
        const result = await client.call(method, payload)
        const message =
          result.ok && 'problems' in result.value ? result.value.problems[0]?.message : failure(result).message
        if (result.ok && 'problems' in result.value) expect(result.value.problems[0]?.field).toBe('teacher')
        else expect(failure(result).field).toBe('teacher')
        expect(message, `${method} ${teacher}`).toMatch(reason)
      }
    }
    // The server answered every one of them and still answers.
    expect((await client.call('system.info')).ok).toBe(true)
    expect(backend.store.runs.listRuns()).toHaveLength(before)
  })

  it('#15.3 the answer for a path outside the data folder does not tell whether the file exists', async () => {
    const client = backend.clients['in-process']
    const existing = failure(await client.call('runs.start', { config: { ...tiny(), teacher: '/etc/passwd' } })).message
    const missing = failure(
      await client.call('runs.start', { config: { ...tiny(), teacher: '/etc/no-such-file' } }),
    ).message
    expect(existing.replaceAll('/etc/passwd', 'X')).toBe(missing.replaceAll('/etc/no-such-file', 'X'))
  })

  it('#15.3 a checkpoint inside the data folder, a teacher id and builtin are still accepted over the API', async () => {
    const client = backend.clients['in-process']
    const inside = join(backend.dataDir, 'mine.ckpt')
    copyFileSync(backend.teacherPath, inside)
    const valid = await client.call('config.validate', { kind: 'distill', config: { ...tiny(), teacher: 'mine.ckpt' } })
    expect(valid).toMatchObject({ ok: true, value: { valid: true } })
    const builtin = await client.call('config.validate', {
      kind: 'distill',
      config: { dataset: 'moons', teacher: 'builtin-moons' },
    })
    expect(builtin).toMatchObject({ ok: true, value: { valid: true } })
  })
})

describe('#15.3 the teacher of a stored run, over the API', () => {
  it("#15.3 resume and branch over the API refuse a recorded teacher outside the data folder; the CLI's service still may", async () => {
    const { service, store } = backend
    const client = backend.clients.websocket
    const outside = join(backend.root, 'outside-for-resume.ckpt')
    copyFileSync(backend.teacherPath, outside)
    // A run as the CLI makes it (or an imported history holds it): its teacher a file outside the data folder.
    const run = await service.startDistill({ ...tiny(), teacher: outside, steps: 20 })
    await service.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('finished')
    const branched = failure(await client.call('runs.branch', { id: run.id, overrides: { steps: 30 } }))
    expect(branched).toMatchObject({ code: 'INVALID_CONFIG', field: 'teacher' })
    // As a crash leaves it: resumable from its last checkpoint.
    store.runs.updateStatus(run.id, 'interrupted')
    const resumed = failure(await client.call('runs.resume', { id: run.id, steps: 30 }))
    expect(resumed).toMatchObject({ code: 'INVALID_CONFIG', field: 'teacher' })
    expect(resumed.message).toMatch(/not inside the data folder/)
    // A run that never reached a checkpoint starts over on resume: the same check applies.
    const never = store.runs.createRun({
      kind: 'distill',
      config: store.runs.getRun(run.id).config,
      appVersion: '0.1.0',
      status: 'interrupted',
    })
    expect(failure(await client.call('runs.resume', { id: never.id }))).toMatchObject({
      code: 'INVALID_CONFIG',
      field: 'teacher',
    })
    expect(store.runs.listRuns({ status: ['queued', 'running'] })).toHaveLength(0)
    await service.resume(run.id, { steps: 30 })
    await service.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('finished')
  }, 120_000)

  it('#15.3 a run started over the API with a relative teacher path records its full path', async () => {
    const inside = join(backend.dataDir, 'relative.ckpt')
    copyFileSync(backend.teacherPath, inside)
    const started = await backend.clients['in-process'].call('runs.start', {
      config: { ...tiny(), teacher: 'relative.ckpt', steps: 10 },
    })
    expect(started.ok && (started.value.config as { teacher: string }).teacher).toBe(realpathSync(inside))
    await backend.service.whenIdle()
  }, 60_000)
})

describe('#15.4 the size of a sweep', () => {
  it('#15.4 a 10^9-point grid is refused before it is built, naming the limit; so is a field that cannot be swept', async () => {
    const client = backend.clients.websocket
    const values = (from: number, step: number) => Array.from({ length: 1000 }, (_, i) => from + i * step)
    const before = backend.store.runs.listRuns().length
    const huge = failure(
      await client.call('runs.sweep', {
        base: tiny(),
        grid: { numScales: values(2, 1), targetEma: values(0, 1e-4), lr: values(1e-5, 1e-6) },
      }),
    )
    expect(huge).toMatchObject({ code: 'INVALID_CONFIG' })
    expect(huge.message).toMatch(/more than 1000 points/)
    const field = failure(await client.call('runs.sweep', { base: tiny(), grid: { dataset: [1, 2] } }))
    expect(field).toMatchObject({ code: 'INVALID_CONFIG', field: 'dataset' })
    expect(field.message).toMatch(/cannot be swept/)
    expect(backend.store.runs.listRuns()).toHaveLength(before)
    expect((await client.call('system.info')).ok).toBe(true)
  })

  it('#15.4 a valid 1000-point sweep lets another client be answered while it is queued', async () => {
    const client = backend.clients.websocket
    const order: string[] = []
    const sweep = client
      .call('runs.sweep', { base: { ...tiny(), steps: 10 }, grid: { seed: Array.from({ length: 1000 }, (_, i) => i) } })
      .then((r) => {
        order.push('sweep')
        return r
      })
    // Sent after the sweep on the same socket: answered first only if the sweep leaves the event loop free.
    const info = client.call('system.info').then((r) => {
      order.push('info')
      return r
    })
    const [swept] = await Promise.all([sweep, info])
    expect(order).toEqual(['info', 'sweep'])
    expect(swept.ok ? swept.value.length : swept.error.message).toBe(1000)
    for (const run of swept.ok ? swept.value : []) {
      if (backend.store.runs.getRun(run.id).status === 'queued') backend.service.cancel(run.id)
    }
    await backend.service.whenIdle()
  }, 120_000)
})

describe('#15.9 queued runs after their owner dies', () => {
  it('#15.9 kill -9 of the owner mid-run with queued runs behind it: after restart every run is resumable and finishes; integrity ok', async () => {
    const dataDir = folders.fresh('crash')
    let ready = false
    // `clab sweep` owns the three runs: the first running, two queued behind it in its memory.
    const owner = clab(
      [
        'sweep',
        '--dataset',
        'moons',
        '--teacher',
        backend.teacherPath,
        '--N',
        '6,8,10',
        '--steps',
        '100000',
        '--batch',
        '16',
        '--eval-samples',
        '64',
        '--checkpoint-every',
        '20',
        '--warmup',
        '0',
        '--backend',
        'cpu',
        '--data-dir',
        dataDir,
      ],
      {
        onSpawn: (child) => {
          const timer = setInterval(() => {
            if (ready) return
            const store = existsSync(join(dataDir, 'lab.sqlite')) ? openLabStore({ dataDir }) : null
            try {
              const runs = store?.runs.listRuns() ?? []
              const first = runs.find((r) => r.status === 'running')
              if (runs.length === 3 && first && store?.checkpoints.latestCheckpoint(first.id)) {
                ready = true
                clearInterval(timer)
                child.kill('SIGKILL')
              }
            } finally {
              store?.close()
            }
          }, 100)
          child.on('exit', () => clearInterval(timer))
        },
      },
    )
    const exit = await owner
    expect(ready, exit.stderr).toBe(true)
    expect(exit.code).toBeNull()

    const store = openLabStore({ dataDir })
    const service = new RunService({ store })
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(
        store.runs
          .listRuns()
          .map((r) => r.status)
          .sort(),
      ).toEqual(['queued', 'queued', 'running'])
      expect(service.recover()).toHaveLength(3)
      const runs = store.runs.listRuns()
      expect(runs.every((r) => r.status === 'interrupted')).toBe(true)
      for (const run of runs)
        await service.resume(run.id, { steps: (store.checkpoints.latestCheckpoint(run.id)?.step ?? 0) + 20 })
      await service.whenIdle()
      expect(store.runs.listRuns().map((r) => r.status)).toEqual(['finished', 'finished', 'finished'])
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok')
    } finally {
      await service.close()
      store.close()
    }
  }, 180_000)

  it('#15.9 closing the service leaves its queued runs resumable, not queued forever', async () => {
    const dataDir = folders.fresh('close')
    const store = openLabStore({ dataDir })
    const service = new RunService({ store })
    const first = await service.startDistill({ ...tiny(), steps: 100000 })
    const queued = await service.startDistill(tiny())
    await waitForStatus(() => store.runs.getRun(first.id).status, ['running'])
    await service.close()
    expect(store.runs.getRun(queued.id).status).toBe('interrupted')
    const next = new RunService({ store })
    await next.resume(queued.id)
    await next.whenIdle()
    expect(store.runs.getRun(queued.id).status).toBe('finished')
    await next.close()
    store.close()
  }, 120_000)
})

describe('#15.9 a run that stopped before its first checkpoint', () => {
  it('#15.9 is resumable: it starts over from step 0, its earlier points and previews dropped', async () => {
    const { service, store } = backend
    const config = (await service.startDistill({ ...tiny(), steps: 20 })).config
    await service.whenIdle()
    // As a crash leaves it: started, a few points and a preview recorded, no checkpoint yet.
    const run = store.runs.createRun({ kind: 'distill', config, appVersion: '0.1.0', status: 'running' })
    store.metrics.appendMetrics(run.id, [
      { key: 'loss', step: 1, value: 1 },
      { key: 'loss', step: 2, value: 1 },
    ])
    store.samples.addSample(run.id, {
      step: 0,
      nfe: 1,
      kind: 'points2d',
      model: 'student',
      role: 'preview',
      noiseSeed: 1,
      data: new Uint8Array(8),
    })
    store.runs.updateStatus(run.id, 'interrupted')
    await service.resume(run.id)
    await service.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('finished')
    expect(store.metrics.readSeries(run.id, 'loss').map((p) => p.step)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    )
    expect(store.samples.listSamples(run.id).some((s) => s.noiseSeed === 1)).toBe(false)
  }, 60_000)
})

describe('#15.10 a run whose engine is gone while the history cannot be written', () => {
  it('#15.10 never reads as running; pause, cancel and resume agree; the end is written once the store takes it', async () => {
    const { service, store } = backend
    const client = backend.clients.websocket
    const run = await service.startDistill({ ...tiny(), steps: 100000 })
    await waitForStatus(() => (store.checkpoints.latestCheckpoint(run.id) ? 'running' : 'queued'), ['running'])
    // Nothing can be written any more (as on a full disk, where even the run's status does not fit).
    store.db.pragma('query_only = 1')
    try {
      await waitForStatus(() => service.get(run.id).status, ['failed'])
      expect(store.runs.getRun(run.id).status).toBe('running')
      const got = await client.call('runs.get', { id: run.id })
      expect(got).toMatchObject({ ok: true, value: { status: 'failed' } })
      expect(got.ok && got.value.error).toMatch(/the run history could not be written/)
      const listed = await client.call('runs.list', { text: run.id })
      expect(listed.ok && listed.value.map((r) => r.status)).toEqual(['failed'])
      const running = await client.call('runs.list', { status: 'running' })
      expect(running.ok && running.value.map((r) => r.id)).not.toContain(run.id)
      expect(failure(await client.call('runs.pause', { id: run.id }))).toMatchObject({
        code: 'RUN_STATE',
        message: expect.stringMatching(/is failed, not running/),
      })
      expect(failure(await client.call('runs.cancel', { id: run.id }))).toMatchObject({
        code: 'RUN_STATE',
        message: expect.stringMatching(/is failed/),
      })
    } finally {
      store.db.pragma('query_only = 0')
    }
    await waitForStatus(() => store.runs.getRun(run.id).status, ['failed'], 10_000)
    expect(store.runs.getRun(run.id).error).toMatch(/the run history could not be written/)
    await service.whenIdle()
    const resumed = await client.call('runs.resume', {
      id: run.id,
      steps: (store.checkpoints.latestCheckpoint(run.id)?.step ?? 0) + 20,
    })
    expect(resumed.ok ? 'ok' : resumed.error).toBe('ok')
    await service.whenIdle()
    expect(store.runs.getRun(run.id).status).toBe('finished')
  }, 120_000)
})
