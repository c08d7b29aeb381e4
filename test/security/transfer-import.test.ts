/**
 * Issue #15, imports over the API (one real backend): an imported run folder or teacher file is checked whole
 * before anything is written, and a refused or failed import leaves no row and no file behind.
 */
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeCheckpoint, encodeCheckpoint } from '../../src-main/files/checkpoint-file'

import {
  backend,
  error,
  runCount,
  runFolder,
  storeEntries,
  teacherCount,
  TRANSPORTS,
  useTransferBackend,
  value,
} from './transfer-harness'

useTransferBackend('security-transfer-import')

describe('runs.import', () => {
  const client = () => backend.clients.websocket

  it('#15.2 a run.json whose sample path is ../../../x writes nothing outside and leaves no run', async () => {
    // From exports/deep/evil, ../../../ reaches the data folder (the bait is there); from runs/<id>/ it reaches past it.
    const bait = join(backend.dataDir, 'escaped.txt')
    writeFileSync(bait, 'bait')
    const folder = runFolder(join('deep', 'evil'), (run) => {
      ;(run.samples as Array<Record<string, unknown>>)[0]!.path = '../../../escaped.txt'
    })
    const runs = runCount()
    const entries = storeEntries()
    const refused = error(await client().call('runs.import', { path: folder }))
    expect(refused).toMatchObject({ code: 'RUN_FOLDER', field: 'path' })
    expect(refused.message).toMatch(/samples\.0\.path/)
    expect(existsSync(join(backend.root, 'escaped.txt'))).toBe(false)
    expect(runCount()).toBe(runs)
    expect(storeEntries()).toEqual(entries)
    for (const path of ['/etc/hostname', 'samples/../../x', 'C:/x', 'samples//x.csv']) {
      const other = runFolder(`abs-${path.length}`, (run) => {
        ;(run.checkpoints as Array<Record<string, unknown>>)[0]!.path = path
      })
      expect(error(await client().call('runs.import', { path: other })).message, path).toMatch(/checkpoints\.0\.path/)
    }
    expect(runCount()).toBe(runs)
  })

  it('#15.5 a symlinked samples file (or run.json) in an imported folder is refused', async () => {
    const runs = runCount()
    const entries = storeEntries()
    const folder = runFolder('linked-sample')
    const sample = join(folder, 'samples', 'student-nfe1.csv')
    writeFileSync(join(backend.root, 'secret.txt'), 'x,y\n9,9\n')
    rmSync(sample)
    symlinkSync(join(backend.root, 'secret.txt'), sample)
    const refused = error(await client().call('runs.import', { path: folder }))
    expect(refused).toMatchObject({ code: 'RUN_FOLDER', field: 'path' })
    expect(refused.message).toMatch(/samples\/student-nfe1\.csv .*symbolic link/)

    const png = runFolder('linked-png', (run) => {
      ;(run.samples as Array<Record<string, unknown>>).push({
        step: 100,
        nfe: 1,
        kind: 'png',
        model: 'student',
        role: 'final',
        noiseSeed: 7,
        path: 'samples.png',
      })
    })
    symlinkSync(join(backend.dataDir, 'lab.sqlite'), join(png, 'samples.png'))
    expect(error(await client().call('runs.import', { path: png })).message).toMatch(/samples\.png .*symbolic link/)

    const linkedDir = runFolder('linked-dir')
    rmSync(join(linkedDir, 'samples'), { recursive: true })
    symlinkSync(join(backend.dataDir, 'exports', 'linked-sample', 'samples'), join(linkedDir, 'samples'))
    expect(error(await client().call('runs.import', { path: linkedDir })).message).toMatch(/samples .*symbolic link/)

    const runJson = runFolder('linked-run-json')
    copyFileSync(join(runJson, 'run.json'), join(backend.dataDir, 'exports', 'real-run.json'))
    rmSync(join(runJson, 'run.json'))
    symlinkSync(join(backend.dataDir, 'exports', 'real-run.json'), join(runJson, 'run.json'))
    expect(error(await client().call('runs.import', { path: runJson })).message).toMatch(/run\.json .*symbolic link/)
    expect(runCount()).toBe(runs)
    expect(storeEntries()).toEqual(entries)
  })

  it('#15.6 imports refuse steps -1, a teacher of /etc/passwd, 5 MB notes, sample steps of 1e20 and a string createdAt, naming the field', async () => {
    const runs = runCount()
    const entries = storeEntries()
    const cases: Array<[string, (run: Record<string, unknown>) => void, RegExp]> = [
      [
        'config-steps',
        (r) => ((r.config as Record<string, unknown>).steps = -1),
        /config\.steps: steps must be at least 1 \(got -1\)/,
      ],
      [
        'sample-step',
        (r) => ((r.samples as Array<Record<string, unknown>>)[0]!.step = -1),
        /samples\.0\.step: must be at least 0 \(got -1\)/,
      ],
      [
        'teacher',
        (r) => ((r.config as Record<string, unknown>).teacher = '/etc/passwd'),
        /config\.teacher: "\/etc\/passwd" is a path outside the data folder/,
      ],
      [
        'notes',
        (r) => (r.notes = 'n'.repeat(5 << 20)),
        /notes: must be at most 100000 characters \(got a string of 5242880 characters\)/,
      ],
      [
        'sample-1e20',
        (r) => ((r.samples as Array<Record<string, unknown>>)[0]!.step = 1e20),
        /samples\.0\.step: must be/,
      ],
      [
        'created-at',
        (r) => (r.createdAt = '2026-01-01T00:00:00Z'),
        /createdAt: must be a time in milliseconds since 1970/,
      ],
      ['status', (r) => (r.status = 'exploded'), /status: must be one of/],
      ['tags', (r) => (r.tags = ['a,b']), /tags\.0: a tag is 1–64 characters without commas/],
    ]
    for (const [name, edit, message] of cases) {
      const refused = error(await client().call('runs.import', { path: runFolder(`bad-${name}`, edit) }))
      expect(refused, name).toMatchObject({ code: 'RUN_FOLDER', field: 'path' })
      expect(refused.message, name).toMatch(message)
    }
    const metrics = runFolder('bad-metrics')
    writeFileSync(join(metrics, 'metrics.csv'), 'key,step,value,wall_ms\nloss,1e20,1,0\n')
    expect(error(await client().call('runs.import', { path: metrics })).message).toMatch(
      /metrics\.csv line 2: step must be an integer/,
    )
    writeFileSync(join(metrics, 'metrics.csv'), 'key,step,value,wall_ms\nloss,1,abc,0\n')
    expect(error(await client().call('runs.import', { path: metrics })).message).toMatch(
      /metrics\.csv line 2: value must be a number/,
    )
    expect(runCount()).toBe(runs)
    expect(storeEntries()).toEqual(entries)
  })

  it('#15.2 a valid folder imports whole; a failure while its rows are written leaves no row and no file', async () => {
    const folder = runFolder('good')
    const entries = storeEntries()
    const run = value(await client().call('runs.import', { path: folder }))
    expect(run).toMatchObject({
      kind: 'distill',
      status: 'finished',
      notes: 'fixture',
      tags: ['fixture'],
      createdAt: 1_767_225_600_000,
    })
    expect(readFileSync(join(backend.dataDir, 'runs', run.id, 'samples', 'student-nfe1.csv'), 'utf8')).toBe(
      'x,y\n0,0\n1,1\n',
    )
    expect(backend.store.checkpoints.listCheckpoints(run.id)).toEqual([
      expect.objectContaining({ path: 'checkpoints/final.ckpt', bytes: 4 }),
    ])
    expect(backend.store.metrics.readSeries(run.id, 'loss').map((p) => p.step)).toEqual([1, 2])
    expect(storeEntries()).toEqual([...entries, run.id].sort())

    // Fault injection: the last insert fails after the files were copied and the first rows written.
    const runs = runCount()
    const original = backend.store.checkpoints.addCheckpoint.bind(backend.store.checkpoints)
    backend.store.checkpoints.addCheckpoint = () => {
      throw new Error('disk went away')
    }
    try {
      const failed = error(await client().call('runs.import', { path: runFolder('fails') }))
      expect(failed.message).toMatch(/disk went away/)
    } finally {
      backend.store.checkpoints.addCheckpoint = original
    }
    expect(runCount()).toBe(runs)
    expect(storeEntries()).toEqual([...entries, run.id].sort())
  })
})

describe('import leftovers', () => {
  it('#15.2 a temporary folder left by a killed import is removed by the next import, a fresh one is kept', async () => {
    const old = join(backend.dataDir, 'runs', '.import-killed')
    const fresh = join(backend.dataDir, 'runs', '.import-in-progress')
    mkdirSync(join(old, 'samples'), { recursive: true })
    mkdirSync(fresh, { recursive: true })
    const dayAndABitAgo = (Date.now() - 25 * 3600 * 1000) / 1000
    utimesSync(old, dayAndABitAgo, dayAndABitAgo)
    value(await backend.clients['in-process'].call('runs.import', { path: runFolder('after-a-crash') }))
    expect(existsSync(old)).toBe(false)
    expect(existsSync(fresh)).toBe(true)
    rmSync(fresh, { recursive: true })
  })
})

describe('teachers.import', () => {
  const client = () => backend.clients['in-process']

  it('#15.15 a corrupt or non-checkpoint file answers a clear code naming path, never INTERNAL, and stores nothing', async () => {
    const teachers = teacherCount()
    const entries = storeEntries()
    const corrupt = join(backend.dataDir, 'exports', 'corrupt.ckpt')
    mkdirSync(join(backend.dataDir, 'exports'), { recursive: true })
    const bytes = readFileSync(backend.teacherPath)
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff
    writeFileSync(corrupt, bytes)
    writeFileSync(join(backend.dataDir, 'exports', 'text.ckpt'), 'not a checkpoint')
    mkdirSync(join(backend.dataDir, 'exports', 'folder.ckpt'), { recursive: true })
    copyFileSync(backend.teacherPath, join(backend.root, 'outside.ckpt'))
    symlinkSync(join(backend.root, 'outside.ckpt'), join(backend.dataDir, 'exports', 'link.ckpt'))
    const cases: Array<[string, RegExp]> = [
      ['exports/corrupt.ckpt', /checksum mismatch/],
      ['exports/text.ckpt', /not a Consistency Lab checkpoint/],
      ['exports/folder.ckpt', /folder, not a file/],
    ]
    for (const [path, message] of cases) {
      for (const transport of TRANSPORTS) {
        const refused = error(await backend.clients[transport].call('teachers.import', { path }))
        expect(refused, path).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'path' })
        expect(refused.message, path).toMatch(message)
      }
    }
    // A link inside the data folder that leads out of it is outside; one that stays in is still a link.
    expect(error(await client().call('teachers.import', { path: 'exports/link.ckpt' }))).toMatchObject({
      code: 'PATH_OUTSIDE_DATA_DIR',
      field: 'path',
    })
    copyFileSync(backend.teacherPath, join(backend.dataDir, 'exports', 'tiny.ckpt'))
    symlinkSync(join(backend.dataDir, 'exports', 'tiny.ckpt'), join(backend.dataDir, 'exports', 'inner-link.ckpt'))
    expect(error(await client().call('teachers.import', { path: 'exports/inner-link.ckpt' })).message).toMatch(
      /symbolic link/,
    )
    expect(teacherCount()).toBe(teachers)
    expect(storeEntries()).toEqual(entries)
    const imported = value(await client().call('teachers.import', { path: 'exports/tiny.ckpt', name: 'tiny' }))
    expect(readFileSync(join(backend.dataDir, imported.path)).equals(readFileSync(backend.teacherPath))).toBe(true)
    expect(storeEntries()).toEqual([...entries, imported.id].sort())
  })

  it('#15.15 a teacher checkpoint whose weights do not match its config is refused', async () => {
    const teachers = teacherCount()
    const entries = storeEntries()
    const good = decodeCheckpoint(new Uint8Array(readFileSync(backend.teacherPath)))
    const header = good.header as Extract<typeof good.header, { kind: 'teacher' }>
    // The first layer's inputs: x, its Fourier features (#17) and the time embedding.
    const inputs = good.arrays['teacher/layer0.W']?.shape[0] as number
    const variants: Array<[string, typeof good, RegExp]> = [
      [
        'wider',
        { ...good, header: { ...header, config: { ...header.config, hiddenWidth: header.config.hiddenWidth * 2 } } },
        new RegExp(`teacher/layer0\\.W has shape \\[${inputs}, 16\\], the config needs \\[${inputs}, 32\\]`),
      ],
      [
        'deeper',
        { ...good, header: { ...header, config: { ...header.config, hiddenDepth: header.config.hiddenDepth + 1 } } },
        /teacher\/layer1\.W has shape \[16, 2\], the config needs \[16, 16\]/,
      ],
      [
        'extra',
        { ...good, arrays: { ...good.arrays, 'teacher/layer9.W': { shape: [1], data: new Float32Array(1) } } },
        /teacher\/layer9\.W belong to no layer/,
      ],
      [
        'missing',
        { ...good, arrays: Object.fromEntries(Object.entries(good.arrays).filter(([k]) => k !== 'teacher/layer1.b')) },
        /teacher\/layer1\.b is missing/,
      ],
      [
        'nan',
        {
          ...good,
          arrays: { ...good.arrays, 'teacher/layer0.b': { shape: [16], data: new Float32Array(16).fill(Number.NaN) } },
        },
        /teacher\/layer0\.b\[0\] is NaN/,
      ],
    ]
    for (const [name, snapshot, message] of variants) {
      const path = `exports/mismatch-${name}.ckpt`
      writeFileSync(join(backend.dataDir, path), encodeCheckpoint(snapshot))
      const refused = error(await client().call('teachers.import', { path }))
      expect(refused, name).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'path' })
      expect(refused.message, name).toMatch(/weights do not match its config/)
      expect(refused.message, name).toMatch(message)
    }
    expect(teacherCount()).toBe(teachers)
    expect(storeEntries()).toEqual(entries)
    expect(lstatSync(join(backend.dataDir, 'teachers')).isDirectory()).toBe(true)
  })
})
