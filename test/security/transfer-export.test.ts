/**
 * Issue #15, exports over the API (both transports, one real backend): they go only below the data folder's
 * exports/, never over an existing file and never through a link.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ApiClient } from '@shared/ipc/api'

import {
  backend,
  error,
  integrity,
  runCount,
  sqliteHeader,
  storeEntries,
  TRANSPORTS,
  useTransferBackend,
  value,
} from './transfer-harness'

useTransferBackend('security-transfer-export')

describe.each(TRANSPORTS)('exports over the %s transport', (transport) => {
  let client: ApiClient
  beforeAll(() => {
    client = backend.clients[transport]
  })

  it('#15.1 teachers.export over the API cannot overwrite lab.sqlite', async () => {
    for (const path of ['lab.sqlite', join(backend.dataDir, 'lab.sqlite')]) {
      const refused = error(await client.call('teachers.export', { id: 'builtin-moons', path }))
      expect(refused, path).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'path' })
      expect(refused.message).toContain('exports')
    }
    expect(sqliteHeader('lab.sqlite')).toBe('SQLite format 3')
    expect(integrity()).toBe('ok')
    expect(value(await client.call('runs.list')).length).toBe(runCount())
  })

  it('#15.1 runs.export into datasets/x, uploads/, lab.sqlite-wal and -shm is refused and writes nothing', async () => {
    const run = backend.store.runs.createRun({ kind: 'distill', config: {}, appVersion: '0.0.0', status: 'finished' })
    for (const path of [
      'datasets/x',
      'uploads/x',
      'lab.sqlite-wal',
      'lab.sqlite-shm',
      'runs/x',
      'teachers/x',
      'somewhere/x',
      'exports',
    ]) {
      expect(error(await client.call('runs.export', { id: run.id, path })), path).toMatchObject({
        code: 'INVALID_PAYLOAD',
        field: 'path',
      })
    }
    expect(error(await client.call('runs.export', { id: run.id, path: '.' }))).toMatchObject({
      code: 'PATH_OUTSIDE_DATA_DIR',
      field: 'path',
    })
    for (const path of ['lab.sqlite-wal', 'lab.sqlite-shm', 'datasets/x.ckpt']) {
      expect(error(await client.call('teachers.export', { id: 'builtin-moons', path })), path).toMatchObject({
        code: 'INVALID_PAYLOAD',
        field: 'path',
      })
    }
    for (const path of ['datasets/x', 'uploads/x', 'somewhere', 'runs/x', 'datasets/x.ckpt'])
      expect(existsSync(join(backend.dataDir, path)), path).toBe(false)
    expect(integrity()).toBe('ok')
  })

  it('#15.11 RUNS/x and Lab.SQLITE are refused: names are compared without regard to case', async () => {
    const run = backend.store.runs.createRun({ kind: 'distill', config: {}, appVersion: '0.0.0', status: 'finished' })
    for (const path of ['RUNS/x', 'Runs/x', 'TEACHERS/x', 'Datasets/x', 'exports/../RUNS/x']) {
      expect(error(await client.call('runs.export', { id: run.id, path })), path).toMatchObject({
        code: 'INVALID_PAYLOAD',
        field: 'path',
      })
    }
    for (const path of ['Lab.SQLITE', 'LAB.sqlite-WAL', 'Lab.sqlite-Shm']) {
      expect(error(await client.call('teachers.export', { id: 'builtin-moons', path })), path).toMatchObject({
        code: 'INVALID_PAYLOAD',
        field: 'path',
      })
    }
    expect(readdirSync(backend.dataDir).filter((n) => n !== n.toLowerCase())).toEqual([])
  })

  it('#15.1 an export never overwrites an existing file, and names it', async () => {
    const path = `exports/teacher-${transport}.ckpt`
    const file = value(await client.call('teachers.export', { id: 'builtin-moons', path })).file
    expect(file).toBe(join(backend.dataDir, path))
    writeFileSync(file, 'mine')
    const again = error(await client.call('teachers.export', { id: 'builtin-rings', path }))
    expect(again).toMatchObject({ code: 'INVALID_PAYLOAD', field: 'path' })
    expect(again.message).toContain(file)
    expect(again.message).toMatch(/already exists/)
    expect(readFileSync(file, 'utf8')).toBe('mine')
    // A run folder: a file already there refuses the whole export, before anything is written.
    const run = backend.store.runs.createRun({ kind: 'distill', config: {}, appVersion: '0.0.0', status: 'finished' })
    mkdirSync(join(backend.dataDir, 'exports', `run-${transport}`), { recursive: true })
    writeFileSync(join(backend.dataDir, 'exports', `run-${transport}`, 'metrics.csv'), 'mine')
    const refused = error(await client.call('runs.export', { id: run.id, path: `exports/run-${transport}` }))
    expect(refused.message).toContain('metrics.csv')
    expect(readdirSync(join(backend.dataDir, 'exports', `run-${transport}`))).toEqual(['metrics.csv'])
  })

  it('#15.5 an export never writes through a symlink planted in exports/', async () => {
    const exports = join(backend.dataDir, 'exports')
    mkdirSync(exports, { recursive: true })
    symlinkSync(join(backend.dataDir, 'lab.sqlite'), join(exports, `db-${transport}.ckpt`))
    symlinkSync(join(backend.dataDir, 'runs'), join(exports, `runs-${transport}`))
    symlinkSync(join(backend.dataDir, 'nothing-here'), join(exports, `dangling-${transport}.ckpt`))
    const run = backend.store.runs.createRun({ kind: 'distill', config: {}, appVersion: '0.0.0', status: 'finished' })
    const before = storeEntries()
    for (const path of [
      `exports/db-${transport}.ckpt`,
      `exports/runs-${transport}/x.ckpt`,
      `exports/dangling-${transport}.ckpt`,
    ]) {
      expect(error(await client.call('teachers.export', { id: 'builtin-moons', path })), path).toMatchObject({
        field: 'path',
      })
    }
    expect(error(await client.call('runs.export', { id: run.id, path: `exports/runs-${transport}/x` }))).toMatchObject({
      field: 'path',
    })
    expect(existsSync(join(backend.dataDir, 'nothing-here'))).toBe(false)
    expect(storeEntries()).toEqual(before)
    expect(sqliteHeader('lab.sqlite')).toBe('SQLite format 3')
    expect(integrity()).toBe('ok')
  })
})
