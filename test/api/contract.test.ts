/**
 * The API contract, run against both transports over one backend: the in-process client and the
 * WebSocket of `clab serve` (real port on 127.0.0.1, the `ws` package's WebSocket as the client). Same
 * requests, same results: each transport drives a tiny run end to end, then the same read requests are
 * sent through both and their answers compared.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiClient, ApiEvent, ApiMethod, ApiPayload } from '@shared/ipc/api'
import type { Run } from '@shared/store/types'
import { startBackend, Events, type Backend } from './harness'
import { value, error } from '../helpers/api-result'

let backend: Backend

beforeAll(async () => {
  backend = await startBackend('api-contract')
})

afterAll(async () => {
  await backend?.close()
})

const TRANSPORTS = ['in-process', 'websocket'] as const
const runIds: Record<string, string> = {}

const tiny = () => ({
  teacher: backend.teacherPath,
  batch: 16,
  steps: 30,
  evalSamples: 64,
  checkpointEvery: 10,
  evalEvery: 0,
  sampleEvery: 10,
  backend: 'cpu',
})
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

describe.each(TRANSPORTS)('API over the %s transport', (transport) => {
  let client: ApiClient
  let events: Events

  beforeAll(() => {
    client = backend.clients[transport]
    events = new Events(client)
  })

  afterAll(() => events?.off())

  it('starts a tiny run, streams its events and finishes it', async () => {
    const run = value(await client.call('runs.start', { config: tiny(), tags: [`via-${transport}`], notes: transport }))
    runIds[transport] = run.id
    expect(run).toMatchObject({ kind: 'distill', tags: [`via-${transport}`], notes: transport })
    expect(run.config).toMatchObject({ steps: 30, batch: 16, backend: 'cpu' })
    await events.waitFor((e) => e.type === 'run' && e.run.id === run.id && e.run.status === 'finished')
    const statuses = events.seen
      .filter((e): e is Extract<ApiEvent, { type: 'run' }> => e.type === 'run' && e.run.id === run.id)
      .map((e) => e.run.status)
    expect(statuses).toContain('running')
    const lossSteps = events.seen.flatMap((e) =>
      e.type === 'metrics' && e.runId === run.id ? e.points.filter((p) => p.key === 'loss').map((p) => p.step) : [],
    )
    expect(lossSteps).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
  })

  it('lists the run with its last loss, downsamples its loss and returns its evaluations', async () => {
    const id = runIds[transport] as string
    const listed = value(await client.call('runs.list', { tags: [`via-${transport}`] }))
    expect(listed.map((r) => r.id)).toEqual([id])
    expect(listed[0]?.status).toBe('finished')
    expect(listed[0]?.lastMetrics.loss?.step).toBe(30)
    expect(value(await client.call('runs.list', { status: 'finished', kind: 'distill' })).map((r) => r.id)).toContain(
      id,
    )

    const buckets = value(await client.call('metrics.downsampled', { runId: id, key: 'loss', buckets: 5 }))
    expect(buckets.map((b) => b.index)).toEqual([0, 1, 2, 3, 4])
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(30)
    const part = value(
      await client.call('metrics.downsampled', { runId: id, key: 'loss', fromStep: 11, toStep: 20, buckets: 2 }),
    )
    expect(part.map((b) => [b.start, b.end, b.count])).toEqual([
      [11, 15, 5],
      [16, 20, 5],
    ])
    const series = value(await client.call('metrics.series', { runId: id, key: 'loss', fromStep: 25 }))
    expect(series.map((p) => p.step)).toEqual([25, 26, 27, 28, 29, 30])
    expect(value(await client.call('metrics.list', { runId: id })).map((s) => s.key)).toEqual(
      expect.arrayContaining(['loss', 'lr']),
    )

    const evaluations = value(await client.call('runs.evaluations', { id, metric: 'swd' }))
    expect(evaluations.some((e) => e.model === 'student' && e.nfe === 1 && Number.isFinite(e.value))).toBe(true)
    expect(evaluations.every((e) => e.metric === 'swd' && e.runId === id)).toBe(true)
  })

  it('streams live sample previews as events and serves them as points and as PNG bytes', async () => {
    const id = runIds[transport] as string
    const pushed = events.seen.flatMap((e) => (e.type === 'sample' && e.runId === id ? [e.sample] : []))
    const samples = value(await client.call('samples.list', { runId: id }))
    expect(pushed.map((s) => s.id).sort((x, y) => x - y)).toEqual(samples.map((s) => s.id).sort((x, y) => x - y))
    const previews = samples.filter((s) => s.kind === 'points2d')
    // Data and teacher once; the student at NFE 1 and 2 at steps 0, 10, 20 and 30.
    expect(previews.filter((s) => s.model === 'student').map((s) => `${s.step}/${s.nfe}`)).toEqual([
      '0/1',
      '0/2',
      '10/1',
      '10/2',
      '20/1',
      '20/2',
      '30/1',
      '30/2',
    ])
    expect(
      previews
        .filter((s) => s.model !== 'student')
        .map((s) => `${s.model}/${s.nfe}`)
        .sort(),
    ).toEqual(['data/0', 'teacher/100'])
    expect(new Set(previews.map((s) => s.noiseSeed)).size).toBe(1)
    // The final samples: files, with the quality-vs-NFE counts. Each sample says which it is.
    expect(samples.filter((s) => s.kind === 'csv2d' && s.model === 'student').map((s) => s.nfe)).toEqual([1, 2, 4, 8])
    expect(samples.filter((s) => s.role === 'preview')).toEqual(previews)
    expect(samples.filter((s) => s.role === 'final')).toEqual(samples.filter((s) => s.kind === 'csv2d'))
    const swd = value(await client.call('metrics.series', { runId: id, key: 'swd/nfe1' }))
    expect(swd.map((p) => p.step)).toEqual([0, 10, 20, 30])
    expect(swd.every((p) => Number.isFinite(p.value) && p.value > 0)).toBe(true)
    expect(
      value(await client.call('samples.list', { runId: id, model: 'student', nfe: 2 })).every(
        (s) => s.model === 'student' && s.nfe === 2,
      ),
    ).toBe(true)

    const oneStep = previews.find((s) => s.model === 'student' && s.step === 30 && s.nfe === 1)
    if (!oneStep) throw new Error('no one-step preview at step 30')
    const points = value(await client.call('samples.points', { id: oneStep.id }))
    expect(points.dim).toBe(2)
    expect(points.points.length).toBe(2000)
    expect(points.points.every(Number.isFinite)).toBe(true)
    const final = samples.find((s) => s.kind === 'csv2d' && s.model === 'student' && s.nfe === 1)
    expect(value(await client.call('samples.points', { id: final?.id as number })).points.length).toBe(2 * 64)

    const png = value(await client.call('samples.png', { id: oneStep.id, size: 64 }))
    expect(png.bytes).toBeInstanceOf(Uint8Array)
    expect(Array.from(png.bytes.subarray(0, 8))).toEqual(PNG_SIGNATURE)
    expect(png.mime).toBe('image/png')
    expect(error(await client.call('samples.png', { id: 999_999 }))).toMatchObject({ code: 'NOT_FOUND', field: 'id' })
    expect(error(await client.call('samples.png', { id: oneStep.id, size: 5 }))).toMatchObject({
      code: 'INVALID_PAYLOAD',
      field: 'size',
    })
  })

  it('imports and exports teachers inside the data folder only', async () => {
    const outside = join(backend.root, `outside-${transport}.ckpt`)
    copyFileSync(backend.teacherPath, outside)
    expect(error(await client.call('teachers.import', { path: outside }))).toMatchObject({
      code: 'PATH_OUTSIDE_DATA_DIR',
      field: 'path',
    })
    const inside = join(backend.dataDir, 'incoming', `${transport}.ckpt`)
    mkdirSync(join(backend.dataDir, 'incoming'), { recursive: true })
    copyFileSync(backend.teacherPath, inside)
    const teacher = value(await client.call('teachers.import', { path: inside, name: `imported-${transport}` }))
    expect(teacher).toMatchObject({ name: `imported-${transport}`, dataset: 'moons' })
    expect(value(await client.call('teachers.list', { dataset: 'moons' })).map((t) => t.id)).toContain(teacher.id)
    const exported = value(
      await client.call('teachers.export', { id: teacher.id, path: `exports/teacher-${transport}.ckpt` }),
    )
    expect(exported.file).toBe(join(backend.dataDir, 'exports', `teacher-${transport}.ckpt`))
    expect(readFileSync(exported.file)).toEqual(readFileSync(backend.teacherPath))
    expect(error(await client.call('teachers.export', { id: teacher.id, path: '/tmp/t.ckpt' }))).toMatchObject({
      code: 'PATH_OUTSIDE_DATA_DIR',
    })
    expect(error(await client.call('teachers.export', { id: 'nope', path: 'exports/x.ckpt' }))).toMatchObject({
      code: 'NOT_FOUND',
    })
    // #17: measured at import; measured again on request, with its figures in the answer.
    const before = teacher.quality?.measuredAt as number
    const measured = value(await client.call('teachers.measure', { id: teacher.id }))
    expect(measured.quality?.rows.map((r) => r.steps)).toEqual([1, 10, 100])
    expect(measured.quality?.measuredAt).toBeGreaterThan(before)
    expect(error(await client.call('teachers.measure', { id: 'nope' }))).toMatchObject({ code: 'NOT_FOUND' })
  })

  it('tags, untags and annotates the run (and pushes the change as an event)', async () => {
    const id = runIds[transport] as string
    expect(value(await client.call('runs.tag', { id, tags: ['keep', 'compare'] })).tags).toEqual(
      expect.arrayContaining(['keep', 'compare', `via-${transport}`]),
    )
    expect(value(await client.call('runs.untag', { id, tags: ['compare'] })).tags).not.toContain('compare')
    expect(value(await client.call('runs.annotate', { id, notes: 'a good one' })).notes).toBe('a good one')
    await events.waitFor((e) => e.type === 'run' && e.run.id === id && e.run.notes === 'a good one', 5000)
    expect(value(await client.call('runs.get', { id })).tags).toEqual(
      expect.arrayContaining(['keep', `via-${transport}`]),
    )
  })

  it('refuses a malformed payload with INVALID_PAYLOAD naming the field', async () => {
    const id = runIds[transport] as string
    const zero = error(await client.call('metrics.downsampled', { runId: id, key: 'loss', buckets: 0 }))
    expect(zero).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'buckets' })
    expect(zero.message).toMatch(/buckets/)
    const wrongType = error(await client.call('runs.get', { id: 42 } as unknown as ApiPayload<'runs.get'>))
    expect(wrongType).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'id' })
    const extra = error(
      await client.call('runs.tag', { id, tags: ['x'], evil: true } as unknown as ApiPayload<'runs.tag'>),
    )
    expect(extra).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'evil' })
    const missing = error(await client.call('runs.start', {} as unknown as ApiPayload<'runs.start'>))
    expect(missing).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'config' })
    expect(error(await client.call('runs.nuke' as ApiMethod, {} as never))).toMatchObject({ code: 'UNKNOWN_METHOD' })
  })

  it('refuses an invalid config with INVALID_CONFIG naming the config field, and queues nothing', async () => {
    const before = value(await client.call('runs.list')).length
    const bad = error(await client.call('runs.start', { config: { ...tiny(), batch: 0 } }))
    expect(bad).toMatchObject({ code: 'INVALID_CONFIG', field: 'batch' })
    expect(bad.problems?.map((p) => p.field)).toEqual(['batch'])
    const teacher = error(
      await client.call('runs.start', { config: { ...tiny(), teacher: join(backend.root, 'no-such.ckpt') } }),
    )
    expect(teacher).toMatchObject({ code: 'INVALID_CONFIG', field: 'teacher' })
    const validation = value(await client.call('config.validate', { kind: 'distill', config: { numScales: 1, lr: 5 } }))
    expect(validation.valid).toBe(false)
    expect(validation.problems.map((p) => p.field).sort()).toEqual(['lr', 'numScales'])
    const ok = value(await client.call('config.validate', { kind: 'teacher', config: { steps: 10 } }))
    expect(ok).toMatchObject({ valid: true, problems: [], config: { steps: 10 } })
    expect(value(await client.call('runs.list')).length).toBe(before)
  })

  it('answers NOT_FOUND for an unknown run and RUN_STATE for a finished run that is paused', async () => {
    expect(error(await client.call('runs.get', { id: 'no-such-run' }))).toMatchObject({ code: 'NOT_FOUND' })
    expect(
      error(await client.call('metrics.downsampled', { runId: 'no-such-run', key: 'loss', buckets: 4 })),
    ).toMatchObject({ code: 'NOT_FOUND' })
    expect(error(await client.call('runs.tag', { id: 'no-such-run', tags: ['x'] }))).toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(error(await client.call('runs.pause', { id: runIds[transport] as string }))).toMatchObject({
      code: 'RUN_STATE',
    })
  })

  it('exports and imports inside the data folder, and refuses paths outside it', async () => {
    const id = runIds[transport] as string
    for (const path of [join(backend.root, 'outside'), '../outside', '/tmp', 'exports/../../outside']) {
      const refused = error(await client.call('runs.export', { id, path }))
      expect(refused, path).toMatchObject({ code: 'PATH_OUTSIDE_DATA_DIR', field: 'path' })
    }
    expect(existsSync(join(backend.root, 'outside'))).toBe(false)
    expect(error(await client.call('runs.import', { path: '/etc' }))).toMatchObject({ code: 'PATH_OUTSIDE_DATA_DIR' })
    expect(error(await client.call('runs.export', { id, path: 'runs/x' }))).toMatchObject({
      code: 'INVALID_PAYLOAD',
      field: 'path',
    })

    const exported = value(await client.call('runs.export', { id, path: `exports/${transport}` }))
    expect(exported.folder).toBe(join(backend.dataDir, 'exports', transport))
    expect(exported.files.some((f) => f.endsWith('metrics.csv'))).toBe(true)
    const imported: Run = value(await client.call('runs.import', { path: join(backend.dataDir, 'exports', transport) }))
    expect(imported.id).not.toBe(id)
    expect(imported.notes).toMatch(/imported from/)
    const copy = value(await client.call('metrics.downsampled', { runId: imported.id, key: 'loss', buckets: 5 }))
    expect(copy).toEqual(value(await client.call('metrics.downsampled', { runId: id, key: 'loss', buckets: 5 })))
    // The samples keep their roles (previews leave as CSV files, so the format alone would not tell).
    const roles = async (runId: string) =>
      value(await client.call('samples.list', { runId })).map((s) => `${s.step}/${s.model}/${s.nfe}/${s.role}`)
    expect(await roles(imported.id)).toEqual(await roles(id))
    expect((await roles(id)).some((r) => r.endsWith('/preview'))).toBe(true)
    // A folder exported before samples had roles and before teacherSubsteps, topPairShare, topPairTarget, topPairReplay and
    // sigmaMax: the previews are told by their noise seed, and the config gets the single teacher step, uniform n,
    // next-level target, no replay and teacher's top those runs took.
    const runJson = join(exported.folder, 'run.json')
    const file = JSON.parse(readFileSync(runJson, 'utf8')) as {
      samples: Array<Record<string, unknown>>
      config: Record<string, unknown>
    }
    const {
      teacherSubsteps: _substeps,
      topPairShare: _share,
      topPairTarget: _target,
      topPairReplay: _replay,
      sigmaMax: _top,
      ...olderConfig
    } = file.config
    writeFileSync(
      runJson,
      JSON.stringify({
        ...file,
        config: { ...olderConfig },
        samples: file.samples.map(({ role: _role, ...rest }) => rest),
      }),
    )
    const older: Run = value(await client.call('runs.import', { path: exported.folder }))
    expect(await roles(older.id)).toEqual(await roles(id))
    expect(value(await client.call('runs.get', { id: older.id })).config).toEqual({
      ...olderConfig,
      teacherSubsteps: 1,
      topPairShare: 0,
      topPairTarget: 'next-level',
      topPairReplay: 0,
      sigmaMax: null,
    })
    value(await client.call('runs.delete', { id: older.id }))
    value(await client.call('runs.delete', { id: imported.id }))
    expect(error(await client.call('runs.get', { id: imported.id }))).toMatchObject({ code: 'NOT_FOUND' })
  })
})

describe('both transports', () => {
  it('give the same results for the same requests', async () => {
    const [a, b] = TRANSPORTS.map((t) => runIds[t] as string)
    const requests: Array<[ApiMethod, unknown]> = [
      ['runs.list', undefined],
      ['runs.list', { tags: ['keep'], limit: 10 }],
      ['runs.get', { id: a }],
      ['runs.get', { id: b }],
      ['metrics.downsampled', { runId: a, key: 'loss', buckets: 7 }],
      ['metrics.series', { runId: b, key: 'lr' }],
      ['metrics.list', { runId: a }],
      ['runs.evaluations', { id: b }],
      ['runs.list', { withConfig: true, metricKeys: ['eval/swd_nfe1', 'eval/swd_nfe2'] }],
      ['samples.list', { runId: a }],
      ['samples.points', { id: 1 }],
      ['samples.png', { id: 2, size: 48 }],
      ['teachers.list', {}],
      ['datasets.list', undefined],
      ['config.defaults', undefined],
      ['config.presets', undefined],
      ['config.validate', { kind: 'distill', config: { numScales: 1 } }],
      ['system.info', undefined],
      ['runs.get', { id: 'missing' }],
      ['metrics.downsampled', { runId: a, key: 'loss', buckets: -1 }],
      ['runs.start', { config: { batch: 'big' } }],
      ['runs.export', { id: a, path: '/' }],
    ]
    for (const [method, payload] of requests) {
      const viaInProcess = await backend.clients['in-process'].call(method, payload as never)
      const viaWebSocket = await backend.clients.websocket.call(method, payload as never)
      expect(viaWebSocket, `${method} ${JSON.stringify(payload)}`).toEqual(viaInProcess)
    }
  })

  it('report the system: app version, data folder, backend candidates', async () => {
    const info = value(await backend.clients.websocket.call('system.info'))
    expect(info.dataDir).toBe(backend.dataDir)
    expect(info.appVersion).toMatch(/^\d+\.\d+\.\d+/)
    expect(info.backends.map((c) => c.name)).toEqual(['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'])
    expect(info.backends.find((c) => c.name === 'cpu')?.installed).toBe(true)
  })
})
