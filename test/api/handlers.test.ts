/**
 * Handler details that need no training: NaN and ±Infinity survive both transports alike, paths that leave
 * the data folder through a symlink are refused, store errors keep their codes, presets apply.
 */
import { appendFileSync, mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeWire, encodeWire } from '@shared/ipc/wire'
import { PRESETS } from '@shared/config/presets'
import { insideDataDir, toApiError, writeUpload } from '../../src-main/api/handlers'
import { RunStateError } from '../../src-main/services/run-service'
import { DatabaseBusyError, InvalidIdError, RunNotFoundError, StorageFullError } from '../../src-main/store'
import { startBackend, type Backend } from './harness'
import { value } from '../helpers/api-result'

let backend: Backend

beforeAll(async () => {
  backend = await startBackend('api-handlers')
})

afterAll(async () => {
  await backend?.close()
})

describe('API handlers', () => {
  it('carries NaN and infinities through both transports identically', async () => {
    const run = backend.store.runs.createRun({
      kind: 'distill',
      config: { steps: 4 },
      appVersion: '0.0.0',
      status: 'failed',
    })
    backend.store.metrics.appendMetrics(run.id, [
      { key: 'loss', step: 1, value: 0.5 },
      { key: 'loss', step: 2, value: Infinity },
      { key: 'loss', step: 3, value: -Infinity },
      { key: 'loss', step: 4, value: NaN },
    ])
    const request = { runId: run.id, key: 'loss' }
    const inProcess = value(await backend.clients['in-process'].call('metrics.series', request))
    const ws = value(await backend.clients.websocket.call('metrics.series', request))
    expect(ws.map((p) => p.value)).toEqual([0.5, Infinity, -Infinity, NaN])
    expect(ws).toEqual(inProcess)
    const listed = value(await backend.clients.websocket.call('runs.list', { text: run.id }))
    expect(listed[0]?.lastMetrics.loss?.value).toBeNaN()
    expect(decodeWire(encodeWire({ a: [NaN, 1, null], b: { $num: 'x' } }))).toEqual({
      a: [NaN, 1, null],
      b: { $num: 'x' },
    })
  })

  it('refuses a path that leaves the data folder through a symlink', async () => {
    const outside = join(backend.root, 'elsewhere')
    mkdirSync(outside, { recursive: true })
    symlinkSync(outside, join(backend.dataDir, 'escape'))
    const run = backend.store.runs.createRun({ kind: 'distill', config: {}, appVersion: '0.0.0', status: 'finished' })
    for (const client of Object.values(backend.clients)) {
      const result = await client.call('runs.export', { id: run.id, path: 'escape/run' })
      expect(result).toMatchObject({ ok: false, error: { code: 'PATH_OUTSIDE_DATA_DIR', field: 'path' } })
      expect(await client.call('runs.import', { path: join(backend.dataDir, 'escape') })).toMatchObject({
        ok: false,
        error: { code: 'PATH_OUTSIDE_DATA_DIR' },
      })
    }
    expect(() => insideDataDir(backend.dataDir, backend.dataDir, 'path')).toThrow(/not inside/)
    expect(insideDataDir(backend.dataDir, 'exports/a', 'path')).toBe(join(backend.dataDir, 'exports', 'a'))
  })

  it('reports a full disk during an upload as STORAGE_FULL and undoes the partial write', () => {
    // /dev/full fails every write with ENOSPC, as a full disk does.
    let undone = false
    const write = () =>
      writeUpload(
        () => appendFileSync('/dev/full', Buffer.alloc(64)),
        () => {
          undone = true
        },
      )
    expect(write).toThrow(
      expect.objectContaining({
        code: 'STORAGE_FULL',
        message: expect.stringMatching(/^the disk holding the data folder is full; the upload was not stored/),
      }),
    )
    expect(undone).toBe(true)
    expect(
      toApiError(
        (() => {
          try {
            write()
          } catch (e) {
            return e
          }
        })(),
      ).code,
    ).toBe('STORAGE_FULL')
    // Other failures pass through unchanged, after the undo.
    expect(() =>
      writeUpload(
        () => {
          throw new Error('EACCES: permission denied')
        },
        () => undefined,
      ),
    ).toThrow('EACCES: permission denied')
  })

  it('maps thrown errors to codes', () => {
    expect(toApiError(new RunNotFoundError('x'))).toMatchObject({ code: 'NOT_FOUND' })
    expect(toApiError(new InvalidIdError('../x', 'run'))).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'id' })
    expect(toApiError(new StorageFullError('lab.sqlite', new Error('full')))).toMatchObject({ code: 'STORAGE_FULL' })
    expect(toApiError(new DatabaseBusyError('lab.sqlite', new Error('busy')))).toMatchObject({ code: 'DATABASE_BUSY' })
    expect(toApiError(new RunStateError('no'))).toEqual({ code: 'RUN_STATE', message: 'no' })
    expect(toApiError(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' })
  })

  it('refuses an unknown preset naming the field; presets and defaults are served', async () => {
    const client = backend.clients['in-process']
    expect(await client.call('runs.start', { config: {}, preset: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD', field: 'preset' },
    })
    expect(Object.keys(value(await client.call('config.presets')))).toEqual(Object.keys(PRESETS))
    const defaults = value(await client.call('config.defaults'))
    expect(defaults.distill.backend).toBeDefined()
    expect(defaults.teacher.steps).toBeGreaterThan(0)
    // A preset's values are validated like any config (and the teacher is resolved before queueing).
    const bad = await client.call('runs.start', {
      config: { teacher: join(backend.root, 'missing.ckpt') },
      preset: 'walkthrough',
    })
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_CONFIG', field: 'teacher' } })
  })

  it('#15.14 runs.start refuses the presets "__proto__", "constructor" and "toString" and queues nothing', async () => {
    const before = backend.store.runs.listRuns({}).length
    for (const client of Object.values(backend.clients)) {
      for (const preset of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        // A config that is valid on its own: only the preset is wrong, so nothing else may refuse it.
        const result = await client.call('runs.start', {
          config: { steps: 2, evalSamples: 16, evalEvery: 0, sampleEvery: 0, backend: 'cpu' },
          preset,
        })
        expect(result, preset).toMatchObject({
          ok: false,
          error: { code: 'INVALID_PAYLOAD', field: 'preset', message: expect.stringContaining('unknown preset') },
        })
      }
    }
    expect(backend.store.runs.listRuns({}).length).toBe(before)
  })

  it('lists teachers and validates teacher resolution in config.validate', async () => {
    const client = backend.clients.websocket
    expect(Array.isArray(value(await client.call('teachers.list', {})))).toBe(true)
    const ok = value(
      await client.call('config.validate', { kind: 'distill', config: { teacher: backend.teacherPath } }),
    )
    expect(ok.valid).toBe(true)
    const missing = value(
      await client.call('config.validate', {
        kind: 'distill',
        config: { teacher: join(backend.root, 'missing.ckpt') },
      }),
    )
    expect(missing).toMatchObject({ valid: false, problems: [{ field: 'teacher' }] })
  })
})
